
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'umctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'umctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'umctl' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('grant-permissions', 'grant-permissions', [CompletionResultType]::ParameterValue, 'Let Skype for Business read Exchange UM and give each pool a UM IP gateway with hunt groups (what ExchUCUtil.ps1 does): plan, confirm, apply all or nothing; or verify')
            [CompletionResult]::new('new-contact', 'new-contact', [CompletionResultType]::ParameterValue, 'Create an Outlook Voice Access (subscriber access) or auto-attendant contact with its dial plan in otherIPPhone: New-CsExUmContact and the dial-plan edit in one step')
            [CompletionResult]::new('contact', 'contact', [CompletionResultType]::ParameterValue, 'List, show, change or remove Exchange UM contacts (the *-CsExUmContact family)')
            [CompletionResult]::new('aa', 'aa', [CompletionResultType]::ParameterValue, 'Show or change an auto attendant''s hours, holidays, after-hours menu and greetings')
            [CompletionResult]::new('trace-call', 'trace-call', [CompletionResultType]::ParameterValue, 'Follow one call hop by hop (Skype front end, AD, CAS call router, UM service, worker, transport) and name the first broken hop, why, and the fix')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the whole deployment at once, read-only: every user, contact, OVA and auto-attendant number, dial plan, server, gateway and pool; findings grouped by cause')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run Exchange''s SIP side on the lab addresses: the UM Call Router of each Client Access server, the UM service and the UM worker of each Mailbox server')
            [CompletionResult]::new('lab', 'lab', [CompletionResultType]::ParameterValue, 'Manage the embedded lab directory: init, reset, export, import, apply, hosts, search, show, pin, greeting')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Call data records and summaries of the calls serve took (Get-UMCallDataRecord, Get-UMCallSummaryReport)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;grant-permissions' {
            [CompletionResult]::new('--forest', '--forest', [CompletionResultType]::ParameterName, 'FQDN of the forest that hosts Skype for Business (as ExchUCUtil -Forest); must be the directory''s forest root domain')
            [CompletionResult]::new('--pool', '--pool', [CompletionResultType]::ParameterName, 'Limit the gateway and hunt-group work to the pool with this FQDN')
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and change nothing')
            [CompletionResult]::new('--ldif', '--ldif', [CompletionResultType]::ParameterName, 'With --dry-run: print the plan as LDIF for ldapmodify (or `umctl lab apply`)')
            [CompletionResult]::new('--powershell', '--powershell', [CompletionResultType]::ParameterName, 'With --dry-run: print the plan as Exchange Management Shell lines (Add-ADPermission, New-UMIPGateway, New-UMHuntGroup, ...), in apply order, for change control')
            [CompletionResult]::new('--verify', '--verify', [CompletionResultType]::ParameterName, 'Change nothing: print ExchUCUtil''s verification tables; exit 1 when anything is missing')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'umctl;new-contact' {
            [CompletionResult]::new('--sip-address', '--sip-address', [CompletionResultType]::ParameterName, 'The contact''s SIP address, unused by any user or contact (e.g. sip:ova.loc801@contoso.com)')
            [CompletionResult]::new('--registrar-pool', '--registrar-pool', [CompletionResultType]::ParameterName, 'FQDN of the registrar pool that homes the contact (Lync Server 2010 or newer)')
            [CompletionResult]::new('--display-number', '--display-number', [CompletionResultType]::ParameterName, 'The number callers dial, E.164 (+ and digits, first digit not 0): the dial plan''s Outlook Voice Access number, or the auto attendant''s pilot number')
            [CompletionResult]::new('--ou', '--ou', [CompletionResultType]::ParameterName, 'The OU the contact goes to (e.g. "OU=ExUmContacts,DC=contoso,DC=com")')
            [CompletionResult]::new('--dial-plan', '--dial-plan', [CompletionResultType]::ParameterName, 'The SIP URI UM dial plan [default: the one whose OVA number, or whose auto attendant''s pilot, is the display number]')
            [CompletionResult]::new('--auto-attendant', '--auto-attendant', [CompletionResultType]::ParameterName, 'Make an auto-attendant contact [default NAME: the auto attendant whose pilot number is the display number]')
            [CompletionResult]::new('--display-name', '--display-name', [CompletionResultType]::ParameterName, 'The display name [default: the dial plan or auto attendant name plus "Subscriber Access" or "Auto Attendant"]')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'A description (say what the number is for)')
            [CompletionResult]::new('--from-csv', '--from-csv', [CompletionResultType]::ParameterName, 'Create many contacts from a CSV file ("-" for standard input); the header names the columns: sip_address, registrar_pool, display_number, ou, and optionally dial_plan, auto_attendant (empty, true, or a name), display_name, description')
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Create the contact even when the number is not the dial plan''s OVA number or the auto attendant''s pilot number (a warning is printed)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the changes instead of making them')
            [CompletionResult]::new('--ldif', '--ldif', [CompletionResultType]::ParameterName, 'With --dry-run: print the changes as LDIF change records (for ldapmodify)')
            [CompletionResult]::new('--powershell', '--powershell', [CompletionResultType]::ParameterName, 'With --dry-run: print the changes as Skype for Business Management Shell and ActiveDirectory-module lines (New-CsExUmContact, Set-ADObject, ...), for change control')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'umctl;contact' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the Exchange UM contacts (Get-CsExUmContact)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one contact')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change a contact, keeping otherIPPhone in step (Set-CsExUmContact)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a contact (asks first unless --yes; Remove-CsExUmContact)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;contact;list' {
            [CompletionResult]::new('--dial-plan', '--dial-plan', [CompletionResultType]::ParameterName, 'Only contacts of this dial plan')
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--auto-attendant', '--auto-attendant', [CompletionResultType]::ParameterName, 'Only auto-attendant contacts')
            [CompletionResult]::new('--subscriber-access', '--subscriber-access', [CompletionResultType]::ParameterName, 'Only subscriber access (Outlook Voice Access) contacts')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;contact;show' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;contact;set' {
            [CompletionResult]::new('--display-number', '--display-number', [CompletionResultType]::ParameterName, 'New display number (E.164); also the line URI')
            [CompletionResult]::new('--sip-address', '--sip-address', [CompletionResultType]::ParameterName, 'New SIP address; also written into otherIPPhone')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'New description ("" removes it)')
            [CompletionResult]::new('--display-name', '--display-name', [CompletionResultType]::ParameterName, 'New display name')
            [CompletionResult]::new('--enabled', '--enabled', [CompletionResultType]::ParameterName, 'Enable or disable the contact for Skype for Business (msRTCSIP-UserEnabled)')
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Accept a number that is not the dial plan''s OVA number or the auto attendant''s pilot')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the changes instead of making them')
            [CompletionResult]::new('--ldif', '--ldif', [CompletionResultType]::ParameterName, 'With --dry-run: print the changes as LDIF change records (for ldapmodify)')
            [CompletionResult]::new('--powershell', '--powershell', [CompletionResultType]::ParameterName, 'With --dry-run: print the changes as Skype for Business Management Shell and ActiveDirectory-module lines (New-CsExUmContact, Set-ADObject, ...), for change control')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;contact;remove' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the changes instead of making them')
            [CompletionResult]::new('--ldif', '--ldif', [CompletionResultType]::ParameterName, 'With --dry-run: print the changes as LDIF change records (for ldapmodify)')
            [CompletionResult]::new('--powershell', '--powershell', [CompletionResultType]::ParameterName, 'With --dry-run: print the changes as Skype for Business Management Shell and ActiveDirectory-module lines (New-CsExUmContact, Set-ADObject, ...), for change control')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;contact;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the Exchange UM contacts (Get-CsExUmContact)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one contact')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change a contact, keeping otherIPPhone in step (Set-CsExUmContact)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a contact (asks first unless --yes; Remove-CsExUmContact)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;contact;help;list' {
            break
        }
        'umctl;contact;help;show' {
            break
        }
        'umctl;contact;help;set' {
            break
        }
        'umctl;contact;help;remove' {
            break
        }
        'umctl;contact;help;help' {
            break
        }
        'umctl;aa' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show an auto attendant: pilots, time zone, business hours, holidays, the menu and greeting of each period (Get-UMAutoAttendant)')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change an auto attendant''s time zone, business hours, holidays and after-hours menu (Set-UMAutoAttendant)')
            [CompletionResult]::new('greeting', 'greeting', [CompletionResultType]::ParameterValue, 'Set the welcome greeting of one period from a WAV file')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;aa;show' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;aa;set' {
            [CompletionResult]::new('--time-zone', '--time-zone', [CompletionResultType]::ParameterName, 'IANA time zone the schedule and holidays are in (e.g. Europe/Amsterdam)')
            [CompletionResult]::new('--business-hours', '--business-hours', [CompletionResultType]::ParameterName, 'Business hours, replacing the schedule; repeat for more ranges ("Mon-Fri 08:00-17:30", "Sat 09:00-12:00")')
            [CompletionResult]::new('--after-hours-key', '--after-hours-key', [CompletionResultType]::ParameterName, 'An after-hours key mapping "N;Name, extension" (keys 1-9), replacing the after-hours menu; repeat for more keys')
            [CompletionResult]::new('--holiday', '--holiday', [CompletionResultType]::ParameterName, 'A holiday "Name,YYYY-MM-DD[,YYYY-MM-DD]" (first and last day); repeat for more')
            [CompletionResult]::new('--business-operator', '--business-operator', [CompletionResultType]::ParameterName, 'Transfer to the operator on 0 during business hours: on or off')
            [CompletionResult]::new('--after-hours-operator', '--after-hours-operator', [CompletionResultType]::ParameterName, 'Transfer to the operator on 0 after hours and on holidays: on or off')
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the changes instead of making them')
            [CompletionResult]::new('--ldif', '--ldif', [CompletionResultType]::ParameterName, 'With --dry-run: print the changes as LDIF change records (for ldapmodify)')
            [CompletionResult]::new('--powershell', '--powershell', [CompletionResultType]::ParameterName, 'With --dry-run: print the changes as Skype for Business Management Shell and ActiveDirectory-module lines (New-CsExUmContact, Set-ADObject, ...), for change control')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;aa;greeting' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store FILE as the business-hours, after-hours or a holiday''s greeting (in the lab''s autoattendants/NAME/ folder) and name it in the directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;aa;greeting;set' {
            [CompletionResult]::new('--holiday', '--holiday', [CompletionResultType]::ParameterName, 'The greeting of this holiday (added with `aa set --holiday`)')
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--business', '--business', [CompletionResultType]::ParameterName, 'The business-hours welcome greeting')
            [CompletionResult]::new('--after-hours', '--after-hours', [CompletionResultType]::ParameterName, 'The after-hours welcome greeting')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the changes instead of making them')
            [CompletionResult]::new('--ldif', '--ldif', [CompletionResultType]::ParameterName, 'With --dry-run: print the changes as LDIF change records (for ldapmodify)')
            [CompletionResult]::new('--powershell', '--powershell', [CompletionResultType]::ParameterName, 'With --dry-run: print the changes as Skype for Business Management Shell and ActiveDirectory-module lines (New-CsExUmContact, Set-ADObject, ...), for change control')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;aa;greeting;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store FILE as the business-hours, after-hours or a holiday''s greeting (in the lab''s autoattendants/NAME/ folder) and name it in the directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;aa;greeting;help;set' {
            break
        }
        'umctl;aa;greeting;help;help' {
            break
        }
        'umctl;aa;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show an auto attendant: pilots, time zone, business hours, holidays, the menu and greeting of each period (Get-UMAutoAttendant)')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change an auto attendant''s time zone, business hours, holidays and after-hours menu (Set-UMAutoAttendant)')
            [CompletionResult]::new('greeting', 'greeting', [CompletionResultType]::ParameterValue, 'Set the welcome greeting of one period from a WAV file')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;aa;help;show' {
            break
        }
        'umctl;aa;help;set' {
            break
        }
        'umctl;aa;help;greeting' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store FILE as the business-hours, after-hours or a holiday''s greeting (in the lab''s autoattendants/NAME/ folder) and name it in the directory')
            break
        }
        'umctl;aa;help;greeting;set' {
            break
        }
        'umctl;aa;help;help' {
            break
        }
        'umctl;trace-call' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Who is called: an extension (9000), an E.164 number (+96265519000), a SIP URI (sip:bob@contoso.com) or a user name (bob); an Outlook Voice Access or auto-attendant number is traced as such')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Who calls (same forms) [default: an outside caller, +14255550199]')
            [CompletionResult]::new('--scenario', '--scenario', [CompletionResultType]::ParameterName, 'Why the call reaches Exchange UM')
            [CompletionResult]::new('--message-seconds', '--message-seconds', [CompletionResultType]::ParameterName, 'How many seconds the caller speaks [default: 10]')
            [CompletionResult]::new('--wave-file', '--wave-file', [CompletionResultType]::ParameterName, 'A WAV file the caller plays as the message (offline: its length is used)')
            [CompletionResult]::new('--digits', '--digits', [CompletionResultType]::ParameterName, 'DTMF keys the caller presses (0-9 * #): auto-attendant menu keys, an OVA extension')
            [CompletionResult]::new('--serve', '--serve', [CompletionResultType]::ParameterName, 'With --live: the call router of an `umctl serve` already running, as HOST:PORT (TCP), sips:HOST:PORT (TLS, as Skype for Business calls) or sip:HOST:PORT;transport=udp')
            [CompletionResult]::new('--delivery-wait', '--delivery-wait', [CompletionResultType]::ParameterName, 'With --live: how long to wait for the message in the mailbox')
            [CompletionResult]::new('--pcap', '--pcap', [CompletionResultType]::ParameterName, 'With --live: write the captured SIP and RTP to this pcap file')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'With --live over TLS: the certificate chain (PEM) the caller presents for mutual TLS [default: one for the pool FQDN from the lab CA]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The private key (PEM) of --tls-cert')
            [CompletionResult]::new('--pcap-keys', '--pcap-keys', [CompletionResultType]::ParameterName, 'With --pcap on a Secured dial plan: write the SRTP keys of the captured media to this file (for Wireshark or libsrtp''s rtp_decoder); they are never in the pcap itself')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The call''s time, for an auto attendant''s business hours, after hours and holidays (RFC 3339, e.g. 2027-01-04T09:00:00Z) [default: now]')
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--hang-up-before-beep', '--hang-up-before-beep', [CompletionResultType]::ParameterName, 'The caller hangs up before the beep: a missed-call notification instead of a message')
            [CompletionResult]::new('--live', '--live', [CompletionResultType]::ParameterName, 'Place the call for real: start `umctl serve` on free loopback ports (or use --serve), play the Front End''s side from the pool''s address and record the real messages')
            [CompletionResult]::new('--ladder', '--ladder', [CompletionResultType]::ParameterName, 'Draw the SIP exchange as a sequence diagram instead of the hop table')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'umctl;doctor' {
            [CompletionResult]::new('--port-offset', '--port-offset', [CompletionResultType]::ParameterName, 'With --tls: the servers listen N ports up (as `umctl serve --port-offset N`)')
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'List every object checked, not only the broken ones')
            [CompletionResult]::new('--powershell', '--powershell', [CompletionResultType]::ParameterName, 'Print the fixes of all findings that have one as PowerShell lines')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Also connect to each UM server''s TLS listeners (call router 5061, UM service 5063; the lab''s hosts table, or DNS with --ldap) and check the certificates they offer against --ca-file (else the lab CA). Read-only: a handshake, then it closes')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'umctl;serve' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Run only this Exchange server (its name, e.g. EX-CAS01)')
            [CompletionResult]::new('--startup-mode', '--startup-mode', [CompletionResultType]::ParameterName, 'UMStartupMode: TCP, TLS or both')
            [CompletionResult]::new('--port-offset', '--port-offset', [CompletionResultType]::ParameterName, 'Add N to every port (5060 + N, ...), e.g. to run beside a real SIP server')
            [CompletionResult]::new('--test-clock', '--test-clock', [CompletionResultType]::ParameterName, 'Test only: take this instant (RFC 3339) as every call''s time for auto attendants')
            [CompletionResult]::new('--max-calls', '--max-calls', [CompletionResultType]::ParameterName, 'MaxCallsAllowed: concurrent calls per Mailbox server (both its workers); beyond it, 503. Exchange''s Set-UMService takes 0-200; up to 1000 is accepted for load tests')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'TCP and TLS connections each SIP listener keeps open at once (beyond it, new ones are closed at once)')
            [CompletionResult]::new('--max-connections-per-address', '--max-connections-per-address', [CompletionResultType]::ParameterName, 'Of --max-connections, those from one peer address (all its ports, TCP and TLS)')
            [CompletionResult]::new('--max-pending-requests', '--max-pending-requests', [CompletionResultType]::ParameterName, 'Overload: past N requests waiting at a listener (received and not yet taken, or with the call handler: directory lookup, call set-up), a new INVITE gets 503 with Retry-After')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How the log on stderr looks (transactions, calls, MWI, SMTP; -q / -v / -vv set the level)')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'On SIGTERM or Ctrl-C: answer 503 to new calls and to OPTIONS probes, let the active calls finish for at most this many seconds, then send BYE to the rest')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'The administrator''s TLS certificate chain (PEM: the server''s certificate, then the intermediates) for the servers run (one with --server NAME) [default: one per server FQDN from the lab CA in <lab>/ca]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The private key (PEM) of --tls-cert')
            [CompletionResult]::new('--client-ca', '--client-ca', [CompletionResultType]::ParameterName, 'Accept peers'' TLS certificates (mutual TLS on SIPSecured and Secured dial plans) issued by the CAs in this PEM file [default: the lab CA]')
            [CompletionResult]::new('--smtp', '--smtp', [CompletionResultType]::ParameterName, 'Deliver voice mail to this SMTP server, smtp://host[:port] (STARTTLS when offered), through the spool in <lab>/spool [default: the lab mailbox, <lab>/mailboxes/<sAMAccountName>/Maildir]')
            [CompletionResult]::new('--smtp-ca', '--smtp-ca', [CompletionResultType]::ParameterName, 'Also trust this CA certificate (PEM) for the SMTP server''s STARTTLS certificate')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep call records in DIR/calls [default: <lab>/calls; with --ldap, the platform data folder]')
            [CompletionResult]::new('--metrics', '--metrics', [CompletionResultType]::ParameterName, 'Serve Prometheus metrics at http://ADDR/metrics (ADDR: PORT for 127.0.0.1:PORT, or HOST:PORT)')
            [CompletionResult]::new('--keep-days', '--keep-days', [CompletionResultType]::ParameterName, 'Remove call records older than this many days (Exchange keeps 90)')
            [CompletionResult]::new('--preview-wait', '--preview-wait', [CompletionResultType]::ParameterName, 'Wait at most this many seconds for a message''s preview before delivering it without; a Maildir message gets its preview when ready, an SMTP one only within this wait')
            [CompletionResult]::new('--preview-threshold', '--preview-threshold', [CompletionResultType]::ParameterName, 'Show a transcript when the mean confidence of its words is at least this (0 to 1); below it the message says the preview is not available')
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--ephemeral-ports', '--ephemeral-ports', [CompletionResultType]::ParameterName, 'Listen on ports the system picks (the redirects name the real ports)')
            [CompletionResult]::new('--preview', '--preview', [CompletionResultType]::ParameterName, 'Voice Mail Preview: add a transcript (pocketsphinx, Debian''s English model) to each voice message; needs a build with `--features preview`')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'umctl;lab' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the lab directory from the built-in contoso.com forest')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Put the lab back to the built-in forest (the old forest and mailboxes go to backups/)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print the whole forest as LDIF')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Replace the forest with an LDIF file (an export), or with a copy of a real forest''s Exchange and Skype objects (--from-ldap); the old one is kept in backups/')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Apply LDIF change records (as ldapmodify would), all or nothing')
            [CompletionResult]::new('hosts', 'hosts', [CompletionResultType]::ParameterValue, 'Print the lab''s FQDN to loopback address table')
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Search the lab like ldapsearch: print matching objects as LDIF (or JSON)')
            [CompletionResult]::new('accept-edit', 'accept-edit', [CompletionResultType]::ParameterValue, 'Check a hand-edited forest.ldif in full and stamp it with its object count and digest, so umctl reads it again (a file that does not match its header is refused until then)')
            [CompletionResult]::new('backups', 'backups', [CompletionResultType]::ParameterValue, 'List the snapshots kept before every write (time, command, objects)')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Bring back the forest of a snapshot (the current forest is kept as a snapshot first)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show the objects and attributes that differ between the lab and a snapshot (the newest when none is given), an LDIF file, or the real AD named by --ldap')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one object by DN or by name (cn, sAMAccountName, displayName, FQDN, SIP address)')
            [CompletionResult]::new('cert', 'cert', [CompletionResultType]::ParameterValue, 'Certificates from the lab CA (<lab>/ca): good ones, and faulty ones to test the TLS checks of trace-call --live and doctor --tls')
            [CompletionResult]::new('pin', 'pin', [CompletionResultType]::ParameterValue, 'Outlook Voice Access PINs of the lab mailboxes: set one, clear a lockout, show the state')
            [CompletionResult]::new('greeting', 'greeting', [CompletionResultType]::ParameterValue, 'Set a user''s voice mail greeting or recorded name (stored in the lab mailbox folder)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;lab;init' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace an existing lab (it is kept in backups/)')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;lab;reset' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;lab;export' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to this file instead of standard output')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write to this file instead of standard output')
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;lab;import' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--from-ldap', '--from-ldap', [CompletionResultType]::ParameterName, 'Copy the Exchange UM and Skype objects of the forest named by --ldap (no secrets)')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;lab;apply' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;lab;hosts' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;lab;search' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Where to start [default: the forest root]')
            [CompletionResult]::new('--base', '--base', [CompletionResultType]::ParameterName, 'Where to start [default: the forest root]')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'How deep to look')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'How deep to look')
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'umctl;lab;accept-edit' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;lab;backups' {
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Keep the N newest snapshots from now on (default 20); older ones are removed')
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;lab;restore' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;lab;diff' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;lab;show' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;lab;cert' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('issue', 'issue', [CompletionResultType]::ParameterValue, 'Issue a certificate (PEM chain and key) for an Exchange server or a Skype pool: good by default, or with exactly the faults asked for')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;lab;cert;issue' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'An Exchange server''s name (EX-CAS01) or FQDN, or a host of the lab''s hosts table (pool01.contoso.com)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Put this name in the certificate instead of the server''s FQDN (a name that does not match)')
            [CompletionResult]::new('--expires-in-days', '--expires-in-days', [CompletionResultType]::ParameterName, 'Expires in this many days (under 30: the checks warn)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write NAME.pem (the chain) and NAME.key here [default: <lab>/ca/issued]')
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--wildcard', '--wildcard', [CompletionResultType]::ParameterName, 'A wildcard name, *. and the FQDN''s domain (not supported between Lync and Exchange UM)')
            [CompletionResult]::new('--expired', '--expired', [CompletionResultType]::ParameterName, 'Valid from 40 days ago until 10 days ago')
            [CompletionResult]::new('--not-yet-valid', '--not-yet-valid', [CompletionResultType]::ParameterName, 'Valid only from 10 days from now')
            [CompletionResult]::new('--no-server-auth', '--no-server-auth', [CompletionResultType]::ParameterName, 'Client authentication only: no server-auth extended key usage')
            [CompletionResult]::new('--untrusted', '--untrusted', [CompletionResultType]::ParameterName, 'Signed by another CA ("umctl untrusted CA" in <lab>/ca/untrusted) that nothing trusts')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'umctl;lab;cert;help' {
            [CompletionResult]::new('issue', 'issue', [CompletionResultType]::ParameterValue, 'Issue a certificate (PEM chain and key) for an Exchange server or a Skype pool: good by default, or with exactly the faults asked for')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;lab;cert;help;issue' {
            break
        }
        'umctl;lab;cert;help;help' {
            break
        }
        'umctl;lab;pin' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a user''s PIN (UM mailbox policy: 6-24 digits, no repeated or sequential digits, not the extension); read from --pin-file, else $UMCTL_PIN, else a prompt, never the command line; clears the failure count and lockout')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Clear a user''s lockout and failure count (the PIN stays)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Whether a user has a PIN, is locked out, and the failures counted (never the hash)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;lab;pin;set' {
            [CompletionResult]::new('--pin-file', '--pin-file', [CompletionResultType]::ParameterName, 'Read the PIN from this file (its first line)')
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;lab;pin;reset' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;lab;pin;show' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;lab;pin;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a user''s PIN (UM mailbox policy: 6-24 digits, no repeated or sequential digits, not the extension); read from --pin-file, else $UMCTL_PIN, else a prompt, never the command line; clears the failure count and lockout')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Clear a user''s lockout and failure count (the PIN stays)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Whether a user has a PIN, is locked out, and the failures counted (never the hash)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;lab;pin;help;set' {
            break
        }
        'umctl;lab;pin;help;reset' {
            break
        }
        'umctl;lab;pin;help;show' {
            break
        }
        'umctl;lab;pin;help;help' {
            break
        }
        'umctl;lab;greeting' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Make FILE the user''s custom greeting (greeting.wav): callers hear it instead of the system greeting; with --away, the away (out-of-office) greeting (away.wav)')
            [CompletionResult]::new('away', 'away', [CompletionResultType]::ParameterValue, 'Turn the user''s away (out-of-office) greeting on or off')
            [CompletionResult]::new('record-name', 'record-name', [CompletionResultType]::ParameterValue, 'Make FILE the user''s recorded name (name.wav), played inside the system greeting')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;lab;greeting;set' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--away', '--away', [CompletionResultType]::ParameterName, 'Store FILE as the away greeting, played instead while `greeting away USER on`')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;lab;greeting;away' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;lab;greeting;record-name' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;lab;greeting;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Make FILE the user''s custom greeting (greeting.wav): callers hear it instead of the system greeting; with --away, the away (out-of-office) greeting (away.wav)')
            [CompletionResult]::new('away', 'away', [CompletionResultType]::ParameterValue, 'Turn the user''s away (out-of-office) greeting on or off')
            [CompletionResult]::new('record-name', 'record-name', [CompletionResultType]::ParameterValue, 'Make FILE the user''s recorded name (name.wav), played inside the system greeting')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;lab;greeting;help;set' {
            break
        }
        'umctl;lab;greeting;help;away' {
            break
        }
        'umctl;lab;greeting;help;record-name' {
            break
        }
        'umctl;lab;greeting;help;help' {
            break
        }
        'umctl;lab;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the lab directory from the built-in contoso.com forest')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Put the lab back to the built-in forest (the old forest and mailboxes go to backups/)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print the whole forest as LDIF')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Replace the forest with an LDIF file (an export), or with a copy of a real forest''s Exchange and Skype objects (--from-ldap); the old one is kept in backups/')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Apply LDIF change records (as ldapmodify would), all or nothing')
            [CompletionResult]::new('hosts', 'hosts', [CompletionResultType]::ParameterValue, 'Print the lab''s FQDN to loopback address table')
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Search the lab like ldapsearch: print matching objects as LDIF (or JSON)')
            [CompletionResult]::new('accept-edit', 'accept-edit', [CompletionResultType]::ParameterValue, 'Check a hand-edited forest.ldif in full and stamp it with its object count and digest, so umctl reads it again (a file that does not match its header is refused until then)')
            [CompletionResult]::new('backups', 'backups', [CompletionResultType]::ParameterValue, 'List the snapshots kept before every write (time, command, objects)')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Bring back the forest of a snapshot (the current forest is kept as a snapshot first)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show the objects and attributes that differ between the lab and a snapshot (the newest when none is given), an LDIF file, or the real AD named by --ldap')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one object by DN or by name (cn, sAMAccountName, displayName, FQDN, SIP address)')
            [CompletionResult]::new('cert', 'cert', [CompletionResultType]::ParameterValue, 'Certificates from the lab CA (<lab>/ca): good ones, and faulty ones to test the TLS checks of trace-call --live and doctor --tls')
            [CompletionResult]::new('pin', 'pin', [CompletionResultType]::ParameterValue, 'Outlook Voice Access PINs of the lab mailboxes: set one, clear a lockout, show the state')
            [CompletionResult]::new('greeting', 'greeting', [CompletionResultType]::ParameterValue, 'Set a user''s voice mail greeting or recorded name (stored in the lab mailbox folder)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;lab;help;init' {
            break
        }
        'umctl;lab;help;reset' {
            break
        }
        'umctl;lab;help;export' {
            break
        }
        'umctl;lab;help;import' {
            break
        }
        'umctl;lab;help;apply' {
            break
        }
        'umctl;lab;help;hosts' {
            break
        }
        'umctl;lab;help;search' {
            break
        }
        'umctl;lab;help;accept-edit' {
            break
        }
        'umctl;lab;help;backups' {
            break
        }
        'umctl;lab;help;restore' {
            break
        }
        'umctl;lab;help;diff' {
            break
        }
        'umctl;lab;help;show' {
            break
        }
        'umctl;lab;help;cert' {
            [CompletionResult]::new('issue', 'issue', [CompletionResultType]::ParameterValue, 'Issue a certificate (PEM chain and key) for an Exchange server or a Skype pool: good by default, or with exactly the faults asked for')
            break
        }
        'umctl;lab;help;cert;issue' {
            break
        }
        'umctl;lab;help;pin' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a user''s PIN (UM mailbox policy: 6-24 digits, no repeated or sequential digits, not the extension); read from --pin-file, else $UMCTL_PIN, else a prompt, never the command line; clears the failure count and lockout')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Clear a user''s lockout and failure count (the PIN stays)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Whether a user has a PIN, is locked out, and the failures counted (never the hash)')
            break
        }
        'umctl;lab;help;pin;set' {
            break
        }
        'umctl;lab;help;pin;reset' {
            break
        }
        'umctl;lab;help;pin;show' {
            break
        }
        'umctl;lab;help;greeting' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Make FILE the user''s custom greeting (greeting.wav): callers hear it instead of the system greeting; with --away, the away (out-of-office) greeting (away.wav)')
            [CompletionResult]::new('away', 'away', [CompletionResultType]::ParameterValue, 'Turn the user''s away (out-of-office) greeting on or off')
            [CompletionResult]::new('record-name', 'record-name', [CompletionResultType]::ParameterValue, 'Make FILE the user''s recorded name (name.wav), played inside the system greeting')
            break
        }
        'umctl;lab;help;greeting;set' {
            break
        }
        'umctl;lab;help;greeting;away' {
            break
        }
        'umctl;lab;help;greeting;record-name' {
            break
        }
        'umctl;lab;help;help' {
            break
        }
        'umctl;report' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('calls', 'calls', [CompletionResultType]::ParameterValue, 'The call data records, newest first (Get-UMCallDataRecord)')
            [CompletionResult]::new('summary', 'summary', [CompletionResultType]::ParameterValue, 'Totals per dial plan, gateway or server and per day or month (Get-UMCallSummaryReport)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;report;calls' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Read the records of DIR/calls (serve''s --data-dir) [default: <lab>/calls; with --ldap, the platform data folder]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only calls of this user (sAMAccountName or number: mailbox, signed-in user, caller, callee)')
            [CompletionResult]::new('--dial-plan', '--dial-plan', [CompletionResultType]::ParameterName, 'Only calls of this dial plan')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only calls at or after T (YYYY-MM-DD or RFC 3339)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only calls before T (YYYY-MM-DD or RFC 3339)')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Only calls of this type (CallAnsweringVoiceMessage, CallAnsweringMissedCall, SubscriberAccess, AutoAttendant, Rejected, ...)')
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--csv', '--csv', [CompletionResultType]::ParameterName, 'Print CSV with Exchange''s column names')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;report;summary' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Read the records of DIR/calls (serve''s --data-dir) [default: <lab>/calls; with --ldap, the platform data folder]')
            [CompletionResult]::new('--group-by', '--group-by', [CompletionResultType]::ParameterName, 'One row per dial plan, UM IP gateway or server')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'One row per day or per month')
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--csv', '--csv', [CompletionResultType]::ParameterName, 'Print CSV with Exchange''s column names')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;report;help' {
            [CompletionResult]::new('calls', 'calls', [CompletionResultType]::ParameterValue, 'The call data records, newest first (Get-UMCallDataRecord)')
            [CompletionResult]::new('summary', 'summary', [CompletionResultType]::ParameterValue, 'Totals per dial plan, gateway or server and per day or month (Get-UMCallSummaryReport)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;report;help;calls' {
            break
        }
        'umctl;report;help;summary' {
            break
        }
        'umctl;report;help;help' {
            break
        }
        'umctl;completions' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA')
            [CompletionResult]::new('--sasl-gssapi', '--sasl-gssapi', [CompletionResultType]::ParameterName, 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)')
            [CompletionResult]::new('--start-tls', '--start-tls', [CompletionResultType]::ParameterName, 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of tables')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is being done (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'umctl;help' {
            [CompletionResult]::new('grant-permissions', 'grant-permissions', [CompletionResultType]::ParameterValue, 'Let Skype for Business read Exchange UM and give each pool a UM IP gateway with hunt groups (what ExchUCUtil.ps1 does): plan, confirm, apply all or nothing; or verify')
            [CompletionResult]::new('new-contact', 'new-contact', [CompletionResultType]::ParameterValue, 'Create an Outlook Voice Access (subscriber access) or auto-attendant contact with its dial plan in otherIPPhone: New-CsExUmContact and the dial-plan edit in one step')
            [CompletionResult]::new('contact', 'contact', [CompletionResultType]::ParameterValue, 'List, show, change or remove Exchange UM contacts (the *-CsExUmContact family)')
            [CompletionResult]::new('aa', 'aa', [CompletionResultType]::ParameterValue, 'Show or change an auto attendant''s hours, holidays, after-hours menu and greetings')
            [CompletionResult]::new('trace-call', 'trace-call', [CompletionResultType]::ParameterValue, 'Follow one call hop by hop (Skype front end, AD, CAS call router, UM service, worker, transport) and name the first broken hop, why, and the fix')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the whole deployment at once, read-only: every user, contact, OVA and auto-attendant number, dial plan, server, gateway and pool; findings grouped by cause')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run Exchange''s SIP side on the lab addresses: the UM Call Router of each Client Access server, the UM service and the UM worker of each Mailbox server')
            [CompletionResult]::new('lab', 'lab', [CompletionResultType]::ParameterValue, 'Manage the embedded lab directory: init, reset, export, import, apply, hosts, search, show, pin, greeting')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Call data records and summaries of the calls serve took (Get-UMCallDataRecord, Get-UMCallSummaryReport)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;help;grant-permissions' {
            break
        }
        'umctl;help;new-contact' {
            break
        }
        'umctl;help;contact' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the Exchange UM contacts (Get-CsExUmContact)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one contact')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change a contact, keeping otherIPPhone in step (Set-CsExUmContact)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a contact (asks first unless --yes; Remove-CsExUmContact)')
            break
        }
        'umctl;help;contact;list' {
            break
        }
        'umctl;help;contact;show' {
            break
        }
        'umctl;help;contact;set' {
            break
        }
        'umctl;help;contact;remove' {
            break
        }
        'umctl;help;aa' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show an auto attendant: pilots, time zone, business hours, holidays, the menu and greeting of each period (Get-UMAutoAttendant)')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change an auto attendant''s time zone, business hours, holidays and after-hours menu (Set-UMAutoAttendant)')
            [CompletionResult]::new('greeting', 'greeting', [CompletionResultType]::ParameterValue, 'Set the welcome greeting of one period from a WAV file')
            break
        }
        'umctl;help;aa;show' {
            break
        }
        'umctl;help;aa;set' {
            break
        }
        'umctl;help;aa;greeting' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store FILE as the business-hours, after-hours or a holiday''s greeting (in the lab''s autoattendants/NAME/ folder) and name it in the directory')
            break
        }
        'umctl;help;aa;greeting;set' {
            break
        }
        'umctl;help;trace-call' {
            break
        }
        'umctl;help;doctor' {
            break
        }
        'umctl;help;serve' {
            break
        }
        'umctl;help;lab' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the lab directory from the built-in contoso.com forest')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Put the lab back to the built-in forest (the old forest and mailboxes go to backups/)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print the whole forest as LDIF')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Replace the forest with an LDIF file (an export), or with a copy of a real forest''s Exchange and Skype objects (--from-ldap); the old one is kept in backups/')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Apply LDIF change records (as ldapmodify would), all or nothing')
            [CompletionResult]::new('hosts', 'hosts', [CompletionResultType]::ParameterValue, 'Print the lab''s FQDN to loopback address table')
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Search the lab like ldapsearch: print matching objects as LDIF (or JSON)')
            [CompletionResult]::new('accept-edit', 'accept-edit', [CompletionResultType]::ParameterValue, 'Check a hand-edited forest.ldif in full and stamp it with its object count and digest, so umctl reads it again (a file that does not match its header is refused until then)')
            [CompletionResult]::new('backups', 'backups', [CompletionResultType]::ParameterValue, 'List the snapshots kept before every write (time, command, objects)')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Bring back the forest of a snapshot (the current forest is kept as a snapshot first)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show the objects and attributes that differ between the lab and a snapshot (the newest when none is given), an LDIF file, or the real AD named by --ldap')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one object by DN or by name (cn, sAMAccountName, displayName, FQDN, SIP address)')
            [CompletionResult]::new('cert', 'cert', [CompletionResultType]::ParameterValue, 'Certificates from the lab CA (<lab>/ca): good ones, and faulty ones to test the TLS checks of trace-call --live and doctor --tls')
            [CompletionResult]::new('pin', 'pin', [CompletionResultType]::ParameterValue, 'Outlook Voice Access PINs of the lab mailboxes: set one, clear a lockout, show the state')
            [CompletionResult]::new('greeting', 'greeting', [CompletionResultType]::ParameterValue, 'Set a user''s voice mail greeting or recorded name (stored in the lab mailbox folder)')
            break
        }
        'umctl;help;lab;init' {
            break
        }
        'umctl;help;lab;reset' {
            break
        }
        'umctl;help;lab;export' {
            break
        }
        'umctl;help;lab;import' {
            break
        }
        'umctl;help;lab;apply' {
            break
        }
        'umctl;help;lab;hosts' {
            break
        }
        'umctl;help;lab;search' {
            break
        }
        'umctl;help;lab;accept-edit' {
            break
        }
        'umctl;help;lab;backups' {
            break
        }
        'umctl;help;lab;restore' {
            break
        }
        'umctl;help;lab;diff' {
            break
        }
        'umctl;help;lab;show' {
            break
        }
        'umctl;help;lab;cert' {
            [CompletionResult]::new('issue', 'issue', [CompletionResultType]::ParameterValue, 'Issue a certificate (PEM chain and key) for an Exchange server or a Skype pool: good by default, or with exactly the faults asked for')
            break
        }
        'umctl;help;lab;cert;issue' {
            break
        }
        'umctl;help;lab;pin' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a user''s PIN (UM mailbox policy: 6-24 digits, no repeated or sequential digits, not the extension); read from --pin-file, else $UMCTL_PIN, else a prompt, never the command line; clears the failure count and lockout')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Clear a user''s lockout and failure count (the PIN stays)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Whether a user has a PIN, is locked out, and the failures counted (never the hash)')
            break
        }
        'umctl;help;lab;pin;set' {
            break
        }
        'umctl;help;lab;pin;reset' {
            break
        }
        'umctl;help;lab;pin;show' {
            break
        }
        'umctl;help;lab;greeting' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Make FILE the user''s custom greeting (greeting.wav): callers hear it instead of the system greeting; with --away, the away (out-of-office) greeting (away.wav)')
            [CompletionResult]::new('away', 'away', [CompletionResultType]::ParameterValue, 'Turn the user''s away (out-of-office) greeting on or off')
            [CompletionResult]::new('record-name', 'record-name', [CompletionResultType]::ParameterValue, 'Make FILE the user''s recorded name (name.wav), played inside the system greeting')
            break
        }
        'umctl;help;lab;greeting;set' {
            break
        }
        'umctl;help;lab;greeting;away' {
            break
        }
        'umctl;help;lab;greeting;record-name' {
            break
        }
        'umctl;help;report' {
            [CompletionResult]::new('calls', 'calls', [CompletionResultType]::ParameterValue, 'The call data records, newest first (Get-UMCallDataRecord)')
            [CompletionResult]::new('summary', 'summary', [CompletionResultType]::ParameterValue, 'Totals per dial plan, gateway or server and per day or month (Get-UMCallSummaryReport)')
            break
        }
        'umctl;help;report;calls' {
            break
        }
        'umctl;help;report;summary' {
            break
        }
        'umctl;help;completions' {
            break
        }
        'umctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
