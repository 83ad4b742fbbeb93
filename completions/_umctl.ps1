
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
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (for a DC with a private CA)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only)')
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
            [CompletionResult]::new('trace-call', 'trace-call', [CompletionResultType]::ParameterValue, 'Follow one call hop by hop (Skype front end, AD, CAS call router, UM service, worker, transport) and name the first broken hop, why, and the fix')
            [CompletionResult]::new('lab', 'lab', [CompletionResultType]::ParameterValue, 'Manage the embedded lab directory: init, reset, export, import, apply, hosts, show')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;trace-call' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Who is called: an extension (9000), an E.164 number (+96265519000), a SIP URI (sip:bob@contoso.com) or a user name (bob); an Outlook Voice Access or auto-attendant number is traced as such')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Who calls (same forms) [default: an outside caller, +14255550199]')
            [CompletionResult]::new('--scenario', '--scenario', [CompletionResultType]::ParameterName, 'Why the call reaches Exchange UM')
            [CompletionResult]::new('--message-seconds', '--message-seconds', [CompletionResultType]::ParameterName, 'How many seconds the caller speaks [default: 10]')
            [CompletionResult]::new('--wave-file', '--wave-file', [CompletionResultType]::ParameterName, 'A WAV file the caller plays as the message (offline: its length is used)')
            [CompletionResult]::new('--digits', '--digits', [CompletionResultType]::ParameterName, 'DTMF keys the caller presses (0-9 * #): auto-attendant menu keys, an OVA extension')
            [CompletionResult]::new('--pcap', '--pcap', [CompletionResultType]::ParameterName, 'With --live: write the captured SIP and RTP to this pcap file')
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (for a DC with a private CA)')
            [CompletionResult]::new('--hang-up-before-beep', '--hang-up-before-beep', [CompletionResultType]::ParameterName, 'The caller hangs up before the beep: a missed-call notification instead of a message')
            [CompletionResult]::new('--live', '--live', [CompletionResultType]::ParameterName, 'Place the call against a running `umctl serve` and record the real messages')
            [CompletionResult]::new('--ladder', '--ladder', [CompletionResultType]::ParameterName, 'Draw the SIP exchange as a sequence diagram instead of the hop table')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only)')
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
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (for a DC with a private CA)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only)')
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
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one object by DN or by name (cn, sAMAccountName, displayName, FQDN, SIP address)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;lab;init' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (for a DC with a private CA)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace an existing lab (it is kept in backups/)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only)')
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
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (for a DC with a private CA)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only)')
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
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (for a DC with a private CA)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only)')
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
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (for a DC with a private CA)')
            [CompletionResult]::new('--from-ldap', '--from-ldap', [CompletionResultType]::ParameterName, 'Copy the Exchange UM and Skype objects of the forest named by --ldap (no secrets)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only)')
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
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (for a DC with a private CA)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only)')
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
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (for a DC with a private CA)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only)')
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
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (for a DC with a private CA)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only)')
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
        'umctl;lab;show' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (for a DC with a private CA)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only)')
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
        'umctl;lab;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the lab directory from the built-in contoso.com forest')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Put the lab back to the built-in forest (the old forest and mailboxes go to backups/)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print the whole forest as LDIF')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Replace the forest with an LDIF file (an export), or with a copy of a real forest''s Exchange and Skype objects (--from-ldap); the old one is kept in backups/')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Apply LDIF change records (as ldapmodify would), all or nothing')
            [CompletionResult]::new('hosts', 'hosts', [CompletionResultType]::ParameterValue, 'Print the lab''s FQDN to loopback address table')
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Search the lab like ldapsearch: print matching objects as LDIF (or JSON)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one object by DN or by name (cn, sAMAccountName, displayName, FQDN, SIP address)')
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
        'umctl;lab;help;show' {
            break
        }
        'umctl;lab;help;help' {
            break
        }
        'umctl;completions' {
            [CompletionResult]::new('--lab', '--lab', [CompletionResultType]::ParameterName, 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]')
            [CompletionResult]::new('--ldap', '--ldap', [CompletionResultType]::ParameterName, 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)')
            [CompletionResult]::new('--bind-dn', '--bind-dn', [CompletionResultType]::ParameterName, 'The account to bind as: a DN or a UPN (administrator@contoso.com)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (for a DC with a private CA)')
            [CompletionResult]::new('--insecure-plain-bind', '--insecure-plain-bind', [CompletionResultType]::ParameterName, 'Allow a simple bind over plain ldap:// without StartTLS (test labs only)')
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
            [CompletionResult]::new('trace-call', 'trace-call', [CompletionResultType]::ParameterValue, 'Follow one call hop by hop (Skype front end, AD, CAS call router, UM service, worker, transport) and name the first broken hop, why, and the fix')
            [CompletionResult]::new('lab', 'lab', [CompletionResultType]::ParameterValue, 'Manage the embedded lab directory: init, reset, export, import, apply, hosts, show')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'umctl;help;trace-call' {
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
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one object by DN or by name (cn, sAMAccountName, displayName, FQDN, SIP address)')
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
        'umctl;help;lab;show' {
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
