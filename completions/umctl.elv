
use builtin;
use str;

set edit:completion:arg-completer[umctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'umctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'umctl'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand grant-permissions 'Let Skype for Business read Exchange UM and give each pool a UM IP gateway with hunt groups (what ExchUCUtil.ps1 does): plan, confirm, apply all or nothing; or verify'
            cand new-contact 'Create an Outlook Voice Access (subscriber access) or auto-attendant contact with its dial plan in otherIPPhone: New-CsExUmContact and the dial-plan edit in one step'
            cand contact 'List, show, change or remove Exchange UM contacts (the *-CsExUmContact family)'
            cand aa 'Show or change an auto attendant''s hours, holidays, after-hours menu and greetings'
            cand trace-call 'Follow one call hop by hop (Skype front end, AD, CAS call router, UM service, worker, transport) and name the first broken hop, why, and the fix'
            cand doctor 'Check the whole deployment at once, read-only: every user, contact, OVA and auto-attendant number, dial plan, server, gateway and pool; findings grouped by cause'
            cand serve 'Run Exchange''s SIP side on the lab addresses: the UM Call Router of each Client Access server, the UM service and the UM worker of each Mailbox server'
            cand lab 'Manage the embedded lab directory: init, reset, export, import, apply, hosts, search, show, pin, greeting'
            cand report 'Call data records and summaries of the calls serve took (Get-UMCallDataRecord, Get-UMCallSummaryReport)'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'umctl;grant-permissions'= {
            cand --forest 'FQDN of the forest that hosts Skype for Business (as ExchUCUtil -Forest); must be the directory''s forest root domain'
            cand --pool 'Limit the gateway and hunt-group work to the pool with this FQDN'
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --dry-run 'Show the plan and change nothing'
            cand --ldif 'With --dry-run: print the plan as LDIF for ldapmodify (or `umctl lab apply`)'
            cand --powershell 'With --dry-run: print the plan as Exchange Management Shell lines (Add-ADPermission, New-UMIPGateway, New-UMHuntGroup, ...), in apply order, for change control'
            cand --verify 'Change nothing: print ExchUCUtil''s verification tables; exit 1 when anything is missing'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'umctl;new-contact'= {
            cand --sip-address 'The contact''s SIP address, unused by any user or contact (e.g. sip:ova.loc801@contoso.com)'
            cand --registrar-pool 'FQDN of the registrar pool that homes the contact (Lync Server 2010 or newer)'
            cand --display-number 'The number callers dial, E.164 (+ and digits, first digit not 0): the dial plan''s Outlook Voice Access number, or the auto attendant''s pilot number'
            cand --ou 'The OU the contact goes to (e.g. "OU=ExUmContacts,DC=contoso,DC=com")'
            cand --dial-plan 'The SIP URI UM dial plan [default: the one whose OVA number, or whose auto attendant''s pilot, is the display number]'
            cand --auto-attendant 'Make an auto-attendant contact [default NAME: the auto attendant whose pilot number is the display number]'
            cand --display-name 'The display name [default: the dial plan or auto attendant name plus "Subscriber Access" or "Auto Attendant"]'
            cand --description 'A description (say what the number is for)'
            cand --from-csv 'Create many contacts from a CSV file ("-" for standard input); the header names the columns: sip_address, registrar_pool, display_number, ou, and optionally dial_plan, auto_attendant (empty, true, or a name), display_name, description'
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --force 'Create the contact even when the number is not the dial plan''s OVA number or the auto attendant''s pilot number (a warning is printed)'
            cand --dry-run 'Print the changes instead of making them'
            cand --ldif 'With --dry-run: print the changes as LDIF change records (for ldapmodify)'
            cand --powershell 'With --dry-run: print the changes as Skype for Business Management Shell and ActiveDirectory-module lines (New-CsExUmContact, Set-ADObject, ...), for change control'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'umctl;contact'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'List the Exchange UM contacts (Get-CsExUmContact)'
            cand show 'Show one contact'
            cand set 'Change a contact, keeping otherIPPhone in step (Set-CsExUmContact)'
            cand remove 'Remove a contact (asks first unless --yes; Remove-CsExUmContact)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'umctl;contact;list'= {
            cand --dial-plan 'Only contacts of this dial plan'
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --auto-attendant 'Only auto-attendant contacts'
            cand --subscriber-access 'Only subscriber access (Outlook Voice Access) contacts'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;contact;show'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;contact;set'= {
            cand --display-number 'New display number (E.164); also the line URI'
            cand --sip-address 'New SIP address; also written into otherIPPhone'
            cand --description 'New description ("" removes it)'
            cand --display-name 'New display name'
            cand --enabled 'Enable or disable the contact for Skype for Business (msRTCSIP-UserEnabled)'
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --force 'Accept a number that is not the dial plan''s OVA number or the auto attendant''s pilot'
            cand --dry-run 'Print the changes instead of making them'
            cand --ldif 'With --dry-run: print the changes as LDIF change records (for ldapmodify)'
            cand --powershell 'With --dry-run: print the changes as Skype for Business Management Shell and ActiveDirectory-module lines (New-CsExUmContact, Set-ADObject, ...), for change control'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;contact;remove'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --dry-run 'Print the changes instead of making them'
            cand --ldif 'With --dry-run: print the changes as LDIF change records (for ldapmodify)'
            cand --powershell 'With --dry-run: print the changes as Skype for Business Management Shell and ActiveDirectory-module lines (New-CsExUmContact, Set-ADObject, ...), for change control'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;contact;help'= {
            cand list 'List the Exchange UM contacts (Get-CsExUmContact)'
            cand show 'Show one contact'
            cand set 'Change a contact, keeping otherIPPhone in step (Set-CsExUmContact)'
            cand remove 'Remove a contact (asks first unless --yes; Remove-CsExUmContact)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'umctl;contact;help;list'= {
        }
        &'umctl;contact;help;show'= {
        }
        &'umctl;contact;help;set'= {
        }
        &'umctl;contact;help;remove'= {
        }
        &'umctl;contact;help;help'= {
        }
        &'umctl;aa'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand show 'Show an auto attendant: pilots, time zone, business hours, holidays, the menu and greeting of each period (Get-UMAutoAttendant)'
            cand set 'Change an auto attendant''s time zone, business hours, holidays and after-hours menu (Set-UMAutoAttendant)'
            cand greeting 'Set the welcome greeting of one period from a WAV file'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'umctl;aa;show'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;aa;set'= {
            cand --time-zone 'IANA time zone the schedule and holidays are in (e.g. Europe/Amsterdam)'
            cand --business-hours 'Business hours, replacing the schedule; repeat for more ranges ("Mon-Fri 08:00-17:30", "Sat 09:00-12:00")'
            cand --after-hours-key 'An after-hours key mapping "N;Name, extension" (keys 1-9), replacing the after-hours menu; repeat for more keys'
            cand --holiday 'A holiday "Name,YYYY-MM-DD[,YYYY-MM-DD]" (first and last day); repeat for more'
            cand --business-operator 'Transfer to the operator on 0 during business hours: on or off'
            cand --after-hours-operator 'Transfer to the operator on 0 after hours and on holidays: on or off'
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --dry-run 'Print the changes instead of making them'
            cand --ldif 'With --dry-run: print the changes as LDIF change records (for ldapmodify)'
            cand --powershell 'With --dry-run: print the changes as Skype for Business Management Shell and ActiveDirectory-module lines (New-CsExUmContact, Set-ADObject, ...), for change control'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;aa;greeting'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand set 'Store FILE as the business-hours, after-hours or a holiday''s greeting (in the lab''s autoattendants/NAME/ folder) and name it in the directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'umctl;aa;greeting;set'= {
            cand --holiday 'The greeting of this holiday (added with `aa set --holiday`)'
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --business 'The business-hours welcome greeting'
            cand --after-hours 'The after-hours welcome greeting'
            cand --dry-run 'Print the changes instead of making them'
            cand --ldif 'With --dry-run: print the changes as LDIF change records (for ldapmodify)'
            cand --powershell 'With --dry-run: print the changes as Skype for Business Management Shell and ActiveDirectory-module lines (New-CsExUmContact, Set-ADObject, ...), for change control'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;aa;greeting;help'= {
            cand set 'Store FILE as the business-hours, after-hours or a holiday''s greeting (in the lab''s autoattendants/NAME/ folder) and name it in the directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'umctl;aa;greeting;help;set'= {
        }
        &'umctl;aa;greeting;help;help'= {
        }
        &'umctl;aa;help'= {
            cand show 'Show an auto attendant: pilots, time zone, business hours, holidays, the menu and greeting of each period (Get-UMAutoAttendant)'
            cand set 'Change an auto attendant''s time zone, business hours, holidays and after-hours menu (Set-UMAutoAttendant)'
            cand greeting 'Set the welcome greeting of one period from a WAV file'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'umctl;aa;help;show'= {
        }
        &'umctl;aa;help;set'= {
        }
        &'umctl;aa;help;greeting'= {
            cand set 'Store FILE as the business-hours, after-hours or a holiday''s greeting (in the lab''s autoattendants/NAME/ folder) and name it in the directory'
        }
        &'umctl;aa;help;greeting;set'= {
        }
        &'umctl;aa;help;help'= {
        }
        &'umctl;trace-call'= {
            cand --to 'Who is called: an extension (9000), an E.164 number (+96265519000), a SIP URI (sip:bob@contoso.com) or a user name (bob); an Outlook Voice Access or auto-attendant number is traced as such'
            cand --from 'Who calls (same forms) [default: an outside caller, +14255550199]'
            cand --scenario 'Why the call reaches Exchange UM'
            cand --message-seconds 'How many seconds the caller speaks [default: 10]'
            cand --wave-file 'A WAV file the caller plays as the message (offline: its length is used)'
            cand --digits 'DTMF keys the caller presses (0-9 * #): auto-attendant menu keys, an OVA extension'
            cand --serve 'With --live: the call router of an `umctl serve` already running, as HOST:PORT (TCP), sips:HOST:PORT (TLS, as Skype for Business calls) or sip:HOST:PORT;transport=udp'
            cand --delivery-wait 'With --live: how long to wait for the message in the mailbox'
            cand --pcap 'With --live: write the captured SIP and RTP to this pcap file'
            cand --tls-cert 'With --live over TLS: the certificate chain (PEM) the caller presents for mutual TLS [default: one for the pool FQDN from the lab CA]'
            cand --tls-key 'The private key (PEM) of --tls-cert'
            cand --pcap-keys 'With --pcap on a Secured dial plan: write the SRTP keys of the captured media to this file (for Wireshark or libsrtp''s rtp_decoder); they are never in the pcap itself'
            cand --now 'The call''s time, for an auto attendant''s business hours, after hours and holidays (RFC 3339, e.g. 2027-01-04T09:00:00Z) [default: now]'
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --hang-up-before-beep 'The caller hangs up before the beep: a missed-call notification instead of a message'
            cand --live 'Place the call for real: start `umctl serve` on free loopback ports (or use --serve), play the Front End''s side from the pool''s address and record the real messages'
            cand --ladder 'Draw the SIP exchange as a sequence diagram instead of the hop table'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'umctl;doctor'= {
            cand --port-offset 'With --tls: the servers listen N ports up (as `umctl serve --port-offset N`)'
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --all 'List every object checked, not only the broken ones'
            cand --powershell 'Print the fixes of all findings that have one as PowerShell lines'
            cand --tls 'Also connect to each UM server''s TLS listeners (call router 5061, UM service 5063; the lab''s hosts table, or DNS with --ldap) and check the certificates they offer against --ca-file (else the lab CA). Read-only: a handshake, then it closes'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'umctl;serve'= {
            cand --server 'Run only this Exchange server (its name, e.g. EX-CAS01)'
            cand --startup-mode 'UMStartupMode: TCP, TLS or both'
            cand --port-offset 'Add N to every port (5060 + N, ...), e.g. to run beside a real SIP server'
            cand --test-clock 'Test only: take this instant (RFC 3339) as every call''s time for auto attendants'
            cand --max-calls 'MaxCallsAllowed: concurrent calls per Mailbox server (both its workers); beyond it, 503. Exchange''s Set-UMService takes 0-200; up to 1000 is accepted for load tests'
            cand --max-connections 'TCP and TLS connections each SIP listener keeps open at once (beyond it, new ones are closed at once)'
            cand --max-connections-per-address 'Of --max-connections, those from one peer address (all its ports, TCP and TLS)'
            cand --max-pending-requests 'Overload: past N requests waiting at a listener (received and not yet taken, or with the call handler: directory lookup, call set-up), a new INVITE gets 503 with Retry-After'
            cand --log-format 'How the log on stderr looks (transactions, calls, MWI, SMTP; -q / -v / -vv set the level)'
            cand --drain-timeout 'On SIGTERM or Ctrl-C: answer 503 to new calls and to OPTIONS probes, let the active calls finish for at most this many seconds, then send BYE to the rest'
            cand --tls-cert 'The administrator''s TLS certificate chain (PEM: the server''s certificate, then the intermediates) for the servers run (one with --server NAME) [default: one per server FQDN from the lab CA in <lab>/ca]'
            cand --tls-key 'The private key (PEM) of --tls-cert'
            cand --client-ca 'Accept peers'' TLS certificates (mutual TLS on SIPSecured and Secured dial plans) issued by the CAs in this PEM file [default: the lab CA]'
            cand --smtp 'Deliver voice mail to this SMTP server, smtp://host[:port] (STARTTLS when offered), through the spool in <lab>/spool [default: the lab mailbox, <lab>/mailboxes/<sAMAccountName>/Maildir]'
            cand --smtp-ca 'Also trust this CA certificate (PEM) for the SMTP server''s STARTTLS certificate'
            cand --data-dir 'Keep call records in DIR/calls [default: <lab>/calls; with --ldap, the platform data folder]'
            cand --metrics 'Serve Prometheus metrics at http://ADDR/metrics (ADDR: PORT for 127.0.0.1:PORT, or HOST:PORT)'
            cand --keep-days 'Remove call records older than this many days (Exchange keeps 90)'
            cand --preview-wait 'Wait at most this many seconds for a message''s preview before delivering it without; a Maildir message gets its preview when ready, an SMTP one only within this wait'
            cand --preview-threshold 'Show a transcript when the mean confidence of its words is at least this (0 to 1); below it the message says the preview is not available'
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --ephemeral-ports 'Listen on ports the system picks (the redirects name the real ports)'
            cand --preview 'Voice Mail Preview: add a transcript (pocketsphinx, Debian''s English model) to each voice message; needs a build with `--features preview`'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'umctl;lab'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand init 'Create the lab directory from the built-in contoso.com forest'
            cand reset 'Put the lab back to the built-in forest (the old forest and mailboxes go to backups/)'
            cand export 'Print the whole forest as LDIF'
            cand import 'Replace the forest with an LDIF file (an export), or with a copy of a real forest''s Exchange and Skype objects (--from-ldap); the old one is kept in backups/'
            cand apply 'Apply LDIF change records (as ldapmodify would), all or nothing'
            cand hosts 'Print the lab''s FQDN to loopback address table'
            cand search 'Search the lab like ldapsearch: print matching objects as LDIF (or JSON)'
            cand accept-edit 'Check a hand-edited forest.ldif in full and stamp it with its object count and digest, so umctl reads it again (a file that does not match its header is refused until then)'
            cand backups 'List the snapshots kept before every write (time, command, objects)'
            cand restore 'Bring back the forest of a snapshot (the current forest is kept as a snapshot first)'
            cand diff 'Show the objects and attributes that differ between the lab and a snapshot (the newest when none is given), an LDIF file, or the real AD named by --ldap'
            cand show 'Show one object by DN or by name (cn, sAMAccountName, displayName, FQDN, SIP address)'
            cand cert 'Certificates from the lab CA (<lab>/ca): good ones, and faulty ones to test the TLS checks of trace-call --live and doctor --tls'
            cand pin 'Outlook Voice Access PINs of the lab mailboxes: set one, clear a lockout, show the state'
            cand greeting 'Set a user''s voice mail greeting or recorded name (stored in the lab mailbox folder)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'umctl;lab;init'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --force 'Replace an existing lab (it is kept in backups/)'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;lab;reset'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;lab;export'= {
            cand -o 'Write to this file instead of standard output'
            cand --out 'Write to this file instead of standard output'
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;lab;import'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --from-ldap 'Copy the Exchange UM and Skype objects of the forest named by --ldap (no secrets)'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;lab;apply'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;lab;hosts'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;lab;search'= {
            cand -b 'Where to start [default: the forest root]'
            cand --base 'Where to start [default: the forest root]'
            cand -s 'How deep to look'
            cand --scope 'How deep to look'
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'umctl;lab;accept-edit'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;lab;backups'= {
            cand --keep 'Keep the N newest snapshots from now on (default 20); older ones are removed'
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;lab;restore'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;lab;diff'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;lab;show'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;lab;cert'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand issue 'Issue a certificate (PEM chain and key) for an Exchange server or a Skype pool: good by default, or with exactly the faults asked for'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'umctl;lab;cert;issue'= {
            cand --server 'An Exchange server''s name (EX-CAS01) or FQDN, or a host of the lab''s hosts table (pool01.contoso.com)'
            cand --name 'Put this name in the certificate instead of the server''s FQDN (a name that does not match)'
            cand --expires-in-days 'Expires in this many days (under 30: the checks warn)'
            cand --out 'Write NAME.pem (the chain) and NAME.key here [default: <lab>/ca/issued]'
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --wildcard 'A wildcard name, *. and the FQDN''s domain (not supported between Lync and Exchange UM)'
            cand --expired 'Valid from 40 days ago until 10 days ago'
            cand --not-yet-valid 'Valid only from 10 days from now'
            cand --no-server-auth 'Client authentication only: no server-auth extended key usage'
            cand --untrusted 'Signed by another CA ("umctl untrusted CA" in <lab>/ca/untrusted) that nothing trusts'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'umctl;lab;cert;help'= {
            cand issue 'Issue a certificate (PEM chain and key) for an Exchange server or a Skype pool: good by default, or with exactly the faults asked for'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'umctl;lab;cert;help;issue'= {
        }
        &'umctl;lab;cert;help;help'= {
        }
        &'umctl;lab;pin'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand set 'Set a user''s PIN (UM mailbox policy: 6-24 digits, no repeated or sequential digits, not the extension); read from --pin-file, else $UMCTL_PIN, else a prompt, never the command line; clears the failure count and lockout'
            cand reset 'Clear a user''s lockout and failure count (the PIN stays)'
            cand show 'Whether a user has a PIN, is locked out, and the failures counted (never the hash)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'umctl;lab;pin;set'= {
            cand --pin-file 'Read the PIN from this file (its first line)'
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;lab;pin;reset'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;lab;pin;show'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;lab;pin;help'= {
            cand set 'Set a user''s PIN (UM mailbox policy: 6-24 digits, no repeated or sequential digits, not the extension); read from --pin-file, else $UMCTL_PIN, else a prompt, never the command line; clears the failure count and lockout'
            cand reset 'Clear a user''s lockout and failure count (the PIN stays)'
            cand show 'Whether a user has a PIN, is locked out, and the failures counted (never the hash)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'umctl;lab;pin;help;set'= {
        }
        &'umctl;lab;pin;help;reset'= {
        }
        &'umctl;lab;pin;help;show'= {
        }
        &'umctl;lab;pin;help;help'= {
        }
        &'umctl;lab;greeting'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand set 'Make FILE the user''s custom greeting (greeting.wav): callers hear it instead of the system greeting; with --away, the away (out-of-office) greeting (away.wav)'
            cand away 'Turn the user''s away (out-of-office) greeting on or off'
            cand record-name 'Make FILE the user''s recorded name (name.wav), played inside the system greeting'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'umctl;lab;greeting;set'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --away 'Store FILE as the away greeting, played instead while `greeting away USER on`'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;lab;greeting;away'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;lab;greeting;record-name'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;lab;greeting;help'= {
            cand set 'Make FILE the user''s custom greeting (greeting.wav): callers hear it instead of the system greeting; with --away, the away (out-of-office) greeting (away.wav)'
            cand away 'Turn the user''s away (out-of-office) greeting on or off'
            cand record-name 'Make FILE the user''s recorded name (name.wav), played inside the system greeting'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'umctl;lab;greeting;help;set'= {
        }
        &'umctl;lab;greeting;help;away'= {
        }
        &'umctl;lab;greeting;help;record-name'= {
        }
        &'umctl;lab;greeting;help;help'= {
        }
        &'umctl;lab;help'= {
            cand init 'Create the lab directory from the built-in contoso.com forest'
            cand reset 'Put the lab back to the built-in forest (the old forest and mailboxes go to backups/)'
            cand export 'Print the whole forest as LDIF'
            cand import 'Replace the forest with an LDIF file (an export), or with a copy of a real forest''s Exchange and Skype objects (--from-ldap); the old one is kept in backups/'
            cand apply 'Apply LDIF change records (as ldapmodify would), all or nothing'
            cand hosts 'Print the lab''s FQDN to loopback address table'
            cand search 'Search the lab like ldapsearch: print matching objects as LDIF (or JSON)'
            cand accept-edit 'Check a hand-edited forest.ldif in full and stamp it with its object count and digest, so umctl reads it again (a file that does not match its header is refused until then)'
            cand backups 'List the snapshots kept before every write (time, command, objects)'
            cand restore 'Bring back the forest of a snapshot (the current forest is kept as a snapshot first)'
            cand diff 'Show the objects and attributes that differ between the lab and a snapshot (the newest when none is given), an LDIF file, or the real AD named by --ldap'
            cand show 'Show one object by DN or by name (cn, sAMAccountName, displayName, FQDN, SIP address)'
            cand cert 'Certificates from the lab CA (<lab>/ca): good ones, and faulty ones to test the TLS checks of trace-call --live and doctor --tls'
            cand pin 'Outlook Voice Access PINs of the lab mailboxes: set one, clear a lockout, show the state'
            cand greeting 'Set a user''s voice mail greeting or recorded name (stored in the lab mailbox folder)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'umctl;lab;help;init'= {
        }
        &'umctl;lab;help;reset'= {
        }
        &'umctl;lab;help;export'= {
        }
        &'umctl;lab;help;import'= {
        }
        &'umctl;lab;help;apply'= {
        }
        &'umctl;lab;help;hosts'= {
        }
        &'umctl;lab;help;search'= {
        }
        &'umctl;lab;help;accept-edit'= {
        }
        &'umctl;lab;help;backups'= {
        }
        &'umctl;lab;help;restore'= {
        }
        &'umctl;lab;help;diff'= {
        }
        &'umctl;lab;help;show'= {
        }
        &'umctl;lab;help;cert'= {
            cand issue 'Issue a certificate (PEM chain and key) for an Exchange server or a Skype pool: good by default, or with exactly the faults asked for'
        }
        &'umctl;lab;help;cert;issue'= {
        }
        &'umctl;lab;help;pin'= {
            cand set 'Set a user''s PIN (UM mailbox policy: 6-24 digits, no repeated or sequential digits, not the extension); read from --pin-file, else $UMCTL_PIN, else a prompt, never the command line; clears the failure count and lockout'
            cand reset 'Clear a user''s lockout and failure count (the PIN stays)'
            cand show 'Whether a user has a PIN, is locked out, and the failures counted (never the hash)'
        }
        &'umctl;lab;help;pin;set'= {
        }
        &'umctl;lab;help;pin;reset'= {
        }
        &'umctl;lab;help;pin;show'= {
        }
        &'umctl;lab;help;greeting'= {
            cand set 'Make FILE the user''s custom greeting (greeting.wav): callers hear it instead of the system greeting; with --away, the away (out-of-office) greeting (away.wav)'
            cand away 'Turn the user''s away (out-of-office) greeting on or off'
            cand record-name 'Make FILE the user''s recorded name (name.wav), played inside the system greeting'
        }
        &'umctl;lab;help;greeting;set'= {
        }
        &'umctl;lab;help;greeting;away'= {
        }
        &'umctl;lab;help;greeting;record-name'= {
        }
        &'umctl;lab;help;help'= {
        }
        &'umctl;report'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand calls 'The call data records, newest first (Get-UMCallDataRecord)'
            cand summary 'Totals per dial plan, gateway or server and per day or month (Get-UMCallSummaryReport)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'umctl;report;calls'= {
            cand --data-dir 'Read the records of DIR/calls (serve''s --data-dir) [default: <lab>/calls; with --ldap, the platform data folder]'
            cand --user 'Only calls of this user (sAMAccountName or number: mailbox, signed-in user, caller, callee)'
            cand --dial-plan 'Only calls of this dial plan'
            cand --since 'Only calls at or after T (YYYY-MM-DD or RFC 3339)'
            cand --until 'Only calls before T (YYYY-MM-DD or RFC 3339)'
            cand --type 'Only calls of this type (CallAnsweringVoiceMessage, CallAnsweringMissedCall, SubscriberAccess, AutoAttendant, Rejected, ...)'
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --csv 'Print CSV with Exchange''s column names'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;report;summary'= {
            cand --data-dir 'Read the records of DIR/calls (serve''s --data-dir) [default: <lab>/calls; with --ldap, the platform data folder]'
            cand --group-by 'One row per dial plan, UM IP gateway or server'
            cand --interval 'One row per day or per month'
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --csv 'Print CSV with Exchange''s column names'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;report;help'= {
            cand calls 'The call data records, newest first (Get-UMCallDataRecord)'
            cand summary 'Totals per dial plan, gateway or server and per day or month (Get-UMCallSummaryReport)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'umctl;report;help;calls'= {
        }
        &'umctl;report;help;summary'= {
        }
        &'umctl;report;help;help'= {
        }
        &'umctl;completions'= {
            cand --lab 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]'
            cand --ldap 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)'
            cand --bind-dn 'The account to bind as: a DN or a UPN (administrator@contoso.com)'
            cand --password-file 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)'
            cand --ca-file 'Trust the CA certificates in this PEM file: the DC''s (--ldap, for a private CA) and the SIP servers'' (trace-call --live over TLS) instead of the lab CA'
            cand --sasl-gssapi 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
            cand --insecure-plain-bind 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
            cand --start-tls 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
            cand --json 'Print one JSON document instead of tables'
            cand -y 'Answer yes to confirmations (needed when not on a terminal)'
            cand --yes 'Answer yes to confirmations (needed when not on a terminal)'
            cand -v 'Say more about what is being done (repeat for more)'
            cand --verbose 'Say more about what is being done (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'umctl;help'= {
            cand grant-permissions 'Let Skype for Business read Exchange UM and give each pool a UM IP gateway with hunt groups (what ExchUCUtil.ps1 does): plan, confirm, apply all or nothing; or verify'
            cand new-contact 'Create an Outlook Voice Access (subscriber access) or auto-attendant contact with its dial plan in otherIPPhone: New-CsExUmContact and the dial-plan edit in one step'
            cand contact 'List, show, change or remove Exchange UM contacts (the *-CsExUmContact family)'
            cand aa 'Show or change an auto attendant''s hours, holidays, after-hours menu and greetings'
            cand trace-call 'Follow one call hop by hop (Skype front end, AD, CAS call router, UM service, worker, transport) and name the first broken hop, why, and the fix'
            cand doctor 'Check the whole deployment at once, read-only: every user, contact, OVA and auto-attendant number, dial plan, server, gateway and pool; findings grouped by cause'
            cand serve 'Run Exchange''s SIP side on the lab addresses: the UM Call Router of each Client Access server, the UM service and the UM worker of each Mailbox server'
            cand lab 'Manage the embedded lab directory: init, reset, export, import, apply, hosts, search, show, pin, greeting'
            cand report 'Call data records and summaries of the calls serve took (Get-UMCallDataRecord, Get-UMCallSummaryReport)'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'umctl;help;grant-permissions'= {
        }
        &'umctl;help;new-contact'= {
        }
        &'umctl;help;contact'= {
            cand list 'List the Exchange UM contacts (Get-CsExUmContact)'
            cand show 'Show one contact'
            cand set 'Change a contact, keeping otherIPPhone in step (Set-CsExUmContact)'
            cand remove 'Remove a contact (asks first unless --yes; Remove-CsExUmContact)'
        }
        &'umctl;help;contact;list'= {
        }
        &'umctl;help;contact;show'= {
        }
        &'umctl;help;contact;set'= {
        }
        &'umctl;help;contact;remove'= {
        }
        &'umctl;help;aa'= {
            cand show 'Show an auto attendant: pilots, time zone, business hours, holidays, the menu and greeting of each period (Get-UMAutoAttendant)'
            cand set 'Change an auto attendant''s time zone, business hours, holidays and after-hours menu (Set-UMAutoAttendant)'
            cand greeting 'Set the welcome greeting of one period from a WAV file'
        }
        &'umctl;help;aa;show'= {
        }
        &'umctl;help;aa;set'= {
        }
        &'umctl;help;aa;greeting'= {
            cand set 'Store FILE as the business-hours, after-hours or a holiday''s greeting (in the lab''s autoattendants/NAME/ folder) and name it in the directory'
        }
        &'umctl;help;aa;greeting;set'= {
        }
        &'umctl;help;trace-call'= {
        }
        &'umctl;help;doctor'= {
        }
        &'umctl;help;serve'= {
        }
        &'umctl;help;lab'= {
            cand init 'Create the lab directory from the built-in contoso.com forest'
            cand reset 'Put the lab back to the built-in forest (the old forest and mailboxes go to backups/)'
            cand export 'Print the whole forest as LDIF'
            cand import 'Replace the forest with an LDIF file (an export), or with a copy of a real forest''s Exchange and Skype objects (--from-ldap); the old one is kept in backups/'
            cand apply 'Apply LDIF change records (as ldapmodify would), all or nothing'
            cand hosts 'Print the lab''s FQDN to loopback address table'
            cand search 'Search the lab like ldapsearch: print matching objects as LDIF (or JSON)'
            cand accept-edit 'Check a hand-edited forest.ldif in full and stamp it with its object count and digest, so umctl reads it again (a file that does not match its header is refused until then)'
            cand backups 'List the snapshots kept before every write (time, command, objects)'
            cand restore 'Bring back the forest of a snapshot (the current forest is kept as a snapshot first)'
            cand diff 'Show the objects and attributes that differ between the lab and a snapshot (the newest when none is given), an LDIF file, or the real AD named by --ldap'
            cand show 'Show one object by DN or by name (cn, sAMAccountName, displayName, FQDN, SIP address)'
            cand cert 'Certificates from the lab CA (<lab>/ca): good ones, and faulty ones to test the TLS checks of trace-call --live and doctor --tls'
            cand pin 'Outlook Voice Access PINs of the lab mailboxes: set one, clear a lockout, show the state'
            cand greeting 'Set a user''s voice mail greeting or recorded name (stored in the lab mailbox folder)'
        }
        &'umctl;help;lab;init'= {
        }
        &'umctl;help;lab;reset'= {
        }
        &'umctl;help;lab;export'= {
        }
        &'umctl;help;lab;import'= {
        }
        &'umctl;help;lab;apply'= {
        }
        &'umctl;help;lab;hosts'= {
        }
        &'umctl;help;lab;search'= {
        }
        &'umctl;help;lab;accept-edit'= {
        }
        &'umctl;help;lab;backups'= {
        }
        &'umctl;help;lab;restore'= {
        }
        &'umctl;help;lab;diff'= {
        }
        &'umctl;help;lab;show'= {
        }
        &'umctl;help;lab;cert'= {
            cand issue 'Issue a certificate (PEM chain and key) for an Exchange server or a Skype pool: good by default, or with exactly the faults asked for'
        }
        &'umctl;help;lab;cert;issue'= {
        }
        &'umctl;help;lab;pin'= {
            cand set 'Set a user''s PIN (UM mailbox policy: 6-24 digits, no repeated or sequential digits, not the extension); read from --pin-file, else $UMCTL_PIN, else a prompt, never the command line; clears the failure count and lockout'
            cand reset 'Clear a user''s lockout and failure count (the PIN stays)'
            cand show 'Whether a user has a PIN, is locked out, and the failures counted (never the hash)'
        }
        &'umctl;help;lab;pin;set'= {
        }
        &'umctl;help;lab;pin;reset'= {
        }
        &'umctl;help;lab;pin;show'= {
        }
        &'umctl;help;lab;greeting'= {
            cand set 'Make FILE the user''s custom greeting (greeting.wav): callers hear it instead of the system greeting; with --away, the away (out-of-office) greeting (away.wav)'
            cand away 'Turn the user''s away (out-of-office) greeting on or off'
            cand record-name 'Make FILE the user''s recorded name (name.wav), played inside the system greeting'
        }
        &'umctl;help;lab;greeting;set'= {
        }
        &'umctl;help;lab;greeting;away'= {
        }
        &'umctl;help;lab;greeting;record-name'= {
        }
        &'umctl;help;report'= {
            cand calls 'The call data records, newest first (Get-UMCallDataRecord)'
            cand summary 'Totals per dial plan, gateway or server and per day or month (Get-UMCallSummaryReport)'
        }
        &'umctl;help;report;calls'= {
        }
        &'umctl;help;report;summary'= {
        }
        &'umctl;help;completions'= {
        }
        &'umctl;help;help'= {
        }
    ]
    $completions[$command]
}
