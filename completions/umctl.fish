# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_umctl_global_optspecs
    string join \n lab= ldap= bind-dn= password-file= ca-file= sasl-gssapi insecure-plain-bind start-tls json y/yes v/verbose q/quiet h/help V/version
end

function __fish_umctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_umctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_umctl_using_subcommand
    set -l cmd (__fish_umctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c umctl -n "__fish_umctl_needs_command" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_needs_command" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_needs_command" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_needs_command" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_needs_command" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_needs_command" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_needs_command" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_needs_command" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_needs_command" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_needs_command" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_needs_command" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_needs_command" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c umctl -n "__fish_umctl_needs_command" -s V -l version -d 'Print version'
complete -c umctl -n "__fish_umctl_needs_command" -f -a "grant-permissions" -d 'Let Skype for Business read Exchange UM and give each pool a UM IP gateway with hunt groups (what ExchUCUtil.ps1 does): plan, confirm, apply all or nothing; or verify'
complete -c umctl -n "__fish_umctl_needs_command" -f -a "new-contact" -d 'Create an Outlook Voice Access (subscriber access) or auto-attendant contact with its dial plan in otherIPPhone: New-CsExUmContact and the dial-plan edit in one step'
complete -c umctl -n "__fish_umctl_needs_command" -f -a "contact" -d 'List, show, change or remove Exchange UM contacts (the *-CsExUmContact family)'
complete -c umctl -n "__fish_umctl_needs_command" -f -a "aa" -d 'Show or change an auto attendant\'s hours, holidays, after-hours menu and greetings'
complete -c umctl -n "__fish_umctl_needs_command" -f -a "trace-call" -d 'Follow one call hop by hop (Skype front end, AD, CAS call router, UM service, worker, transport) and name the first broken hop, why, and the fix'
complete -c umctl -n "__fish_umctl_needs_command" -f -a "doctor" -d 'Check the whole deployment at once, read-only: every user, contact, OVA and auto-attendant number, dial plan, server, gateway and pool; findings grouped by cause'
complete -c umctl -n "__fish_umctl_needs_command" -f -a "serve" -d 'Run Exchange\'s SIP side on the lab addresses: the UM Call Router of each Client Access server, the UM service and the UM worker of each Mailbox server'
complete -c umctl -n "__fish_umctl_needs_command" -f -a "lab" -d 'Manage the embedded lab directory: init, reset, export, import, apply, hosts, search, show, pin, greeting'
complete -c umctl -n "__fish_umctl_needs_command" -f -a "report" -d 'Call data records and summaries of the calls serve took (Get-UMCallDataRecord, Get-UMCallSummaryReport)'
complete -c umctl -n "__fish_umctl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c umctl -n "__fish_umctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -l forest -d 'FQDN of the forest that hosts Skype for Business (as ExchUCUtil -Forest); must be the directory\'s forest root domain' -r
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -l pool -d 'Limit the gateway and hunt-group work to the pool with this FQDN' -r
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -l dry-run -d 'Show the plan and change nothing'
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -l ldif -d 'With --dry-run: print the plan as LDIF for ldapmodify (or `umctl lab apply`)'
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -l powershell -d 'With --dry-run: print the plan as Exchange Management Shell lines (Add-ADPermission, New-UMIPGateway, New-UMHuntGroup, ...), in apply order, for change control'
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -l verify -d 'Change nothing: print ExchUCUtil\'s verification tables; exit 1 when anything is missing'
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand grant-permissions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l sip-address -d 'The contact\'s SIP address, unused by any user or contact (e.g. sip:ova.loc801@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l registrar-pool -d 'FQDN of the registrar pool that homes the contact (Lync Server 2010 or newer)' -r
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l display-number -d 'The number callers dial, E.164 (+ and digits, first digit not 0): the dial plan\'s Outlook Voice Access number, or the auto attendant\'s pilot number' -r
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l ou -d 'The OU the contact goes to (e.g. "OU=ExUmContacts,DC=contoso,DC=com")' -r
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l dial-plan -d 'The SIP URI UM dial plan [default: the one whose OVA number, or whose auto attendant\'s pilot, is the display number]' -r
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l auto-attendant -d 'Make an auto-attendant contact [default NAME: the auto attendant whose pilot number is the display number]' -r
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l display-name -d 'The display name [default: the dial plan or auto attendant name plus "Subscriber Access" or "Auto Attendant"]' -r
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l description -d 'A description (say what the number is for)' -r
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l from-csv -d 'Create many contacts from a CSV file ("-" for standard input); the header names the columns: sip_address, registrar_pool, display_number, ou, and optionally dial_plan, auto_attendant (empty, true, or a name), display_name, description' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l force -d 'Create the contact even when the number is not the dial plan\'s OVA number or the auto attendant\'s pilot number (a warning is printed)'
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l dry-run -d 'Print the changes instead of making them'
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l ldif -d 'With --dry-run: print the changes as LDIF change records (for ldapmodify)'
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l powershell -d 'With --dry-run: print the changes as Skype for Business Management Shell and ActiveDirectory-module lines (New-CsExUmContact, Set-ADObject, ...), for change control'
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand new-contact" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and not __fish_seen_subcommand_from list show set remove help" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand contact; and not __fish_seen_subcommand_from list show set remove help" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand contact; and not __fish_seen_subcommand_from list show set remove help" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand contact; and not __fish_seen_subcommand_from list show set remove help" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand contact; and not __fish_seen_subcommand_from list show set remove help" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand contact; and not __fish_seen_subcommand_from list show set remove help" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and not __fish_seen_subcommand_from list show set remove help" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and not __fish_seen_subcommand_from list show set remove help" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and not __fish_seen_subcommand_from list show set remove help" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and not __fish_seen_subcommand_from list show set remove help" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and not __fish_seen_subcommand_from list show set remove help" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and not __fish_seen_subcommand_from list show set remove help" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and not __fish_seen_subcommand_from list show set remove help" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and not __fish_seen_subcommand_from list show set remove help" -f -a "list" -d 'List the Exchange UM contacts (Get-CsExUmContact)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and not __fish_seen_subcommand_from list show set remove help" -f -a "show" -d 'Show one contact'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and not __fish_seen_subcommand_from list show set remove help" -f -a "set" -d 'Change a contact, keeping otherIPPhone in step (Set-CsExUmContact)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and not __fish_seen_subcommand_from list show set remove help" -f -a "remove" -d 'Remove a contact (asks first unless --yes; Remove-CsExUmContact)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and not __fish_seen_subcommand_from list show set remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from list" -l dial-plan -d 'Only contacts of this dial plan' -r
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from list" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from list" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from list" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from list" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from list" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from list" -l auto-attendant -d 'Only auto-attendant contacts'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from list" -l subscriber-access -d 'Only subscriber access (Outlook Voice Access) contacts'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from list" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from list" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from list" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from list" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from show" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from show" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from show" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from show" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from show" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from show" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from show" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from show" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from show" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -l display-number -d 'New display number (E.164); also the line URI' -r
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -l sip-address -d 'New SIP address; also written into otherIPPhone' -r
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -l description -d 'New description ("" removes it)' -r
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -l display-name -d 'New display name' -r
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -l enabled -d 'Enable or disable the contact for Skype for Business (msRTCSIP-UserEnabled)' -r -f -a "true\t''
false\t''"
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -l force -d 'Accept a number that is not the dial plan\'s OVA number or the auto attendant\'s pilot'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -l dry-run -d 'Print the changes instead of making them'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -l ldif -d 'With --dry-run: print the changes as LDIF change records (for ldapmodify)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -l powershell -d 'With --dry-run: print the changes as Skype for Business Management Shell and ActiveDirectory-module lines (New-CsExUmContact, Set-ADObject, ...), for change control'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from remove" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from remove" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from remove" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from remove" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from remove" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from remove" -l dry-run -d 'Print the changes instead of making them'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from remove" -l ldif -d 'With --dry-run: print the changes as LDIF change records (for ldapmodify)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from remove" -l powershell -d 'With --dry-run: print the changes as Skype for Business Management Shell and ActiveDirectory-module lines (New-CsExUmContact, Set-ADObject, ...), for change control'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from remove" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from remove" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from remove" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from remove" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the Exchange UM contacts (Get-CsExUmContact)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one contact'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from help" -f -a "set" -d 'Change a contact, keeping otherIPPhone in step (Set-CsExUmContact)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a contact (asks first unless --yes; Remove-CsExUmContact)'
complete -c umctl -n "__fish_umctl_using_subcommand contact; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and not __fish_seen_subcommand_from show set greeting help" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand aa; and not __fish_seen_subcommand_from show set greeting help" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand aa; and not __fish_seen_subcommand_from show set greeting help" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand aa; and not __fish_seen_subcommand_from show set greeting help" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand aa; and not __fish_seen_subcommand_from show set greeting help" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand aa; and not __fish_seen_subcommand_from show set greeting help" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and not __fish_seen_subcommand_from show set greeting help" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and not __fish_seen_subcommand_from show set greeting help" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and not __fish_seen_subcommand_from show set greeting help" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and not __fish_seen_subcommand_from show set greeting help" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and not __fish_seen_subcommand_from show set greeting help" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and not __fish_seen_subcommand_from show set greeting help" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and not __fish_seen_subcommand_from show set greeting help" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and not __fish_seen_subcommand_from show set greeting help" -f -a "show" -d 'Show an auto attendant: pilots, time zone, business hours, holidays, the menu and greeting of each period (Get-UMAutoAttendant)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and not __fish_seen_subcommand_from show set greeting help" -f -a "set" -d 'Change an auto attendant\'s time zone, business hours, holidays and after-hours menu (Set-UMAutoAttendant)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and not __fish_seen_subcommand_from show set greeting help" -f -a "greeting" -d 'Set the welcome greeting of one period from a WAV file'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and not __fish_seen_subcommand_from show set greeting help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from show" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from show" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from show" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from show" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from show" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from show" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from show" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from show" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from show" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -l time-zone -d 'IANA time zone the schedule and holidays are in (e.g. Europe/Amsterdam)' -r
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -l business-hours -d 'Business hours, replacing the schedule; repeat for more ranges ("Mon-Fri 08:00-17:30", "Sat 09:00-12:00")' -r
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -l after-hours-key -d 'An after-hours key mapping "N;Name, extension" (keys 1-9), replacing the after-hours menu; repeat for more keys' -r
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -l holiday -d 'A holiday "Name,YYYY-MM-DD[,YYYY-MM-DD]" (first and last day); repeat for more' -r
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -l business-operator -d 'Transfer to the operator on 0 during business hours: on or off' -r
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -l after-hours-operator -d 'Transfer to the operator on 0 after hours and on holidays: on or off' -r
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -l dry-run -d 'Print the changes instead of making them'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -l ldif -d 'With --dry-run: print the changes as LDIF change records (for ldapmodify)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -l powershell -d 'With --dry-run: print the changes as Skype for Business Management Shell and ActiveDirectory-module lines (New-CsExUmContact, Set-ADObject, ...), for change control'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from greeting" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from greeting" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from greeting" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from greeting" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from greeting" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from greeting" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from greeting" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from greeting" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from greeting" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from greeting" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from greeting" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from greeting" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from greeting" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from greeting" -f -a "set" -d 'Store FILE as the business-hours, after-hours or a holiday\'s greeting (in the lab\'s autoattendants/NAME/ folder) and name it in the directory'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from greeting" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show an auto attendant: pilots, time zone, business hours, holidays, the menu and greeting of each period (Get-UMAutoAttendant)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from help" -f -a "set" -d 'Change an auto attendant\'s time zone, business hours, holidays and after-hours menu (Set-UMAutoAttendant)'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from help" -f -a "greeting" -d 'Set the welcome greeting of one period from a WAV file'
complete -c umctl -n "__fish_umctl_using_subcommand aa; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l to -d 'Who is called: an extension (9000), an E.164 number (+96265519000), a SIP URI (sip:bob@contoso.com) or a user name (bob); an Outlook Voice Access or auto-attendant number is traced as such' -r
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l from -d 'Who calls (same forms) [default: an outside caller, +14255550199]' -r
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l scenario -d 'Why the call reaches Exchange UM' -r -f -a "no-answer\t'The callee does not answer (Diversion reason no-answer)'
busy\t'The callee is busy (Diversion reason user-busy)'
direct\t'A call straight to UM, without diversion (Outlook Voice Access)'"
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l message-seconds -d 'How many seconds the caller speaks [default: 10]' -r
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l wave-file -d 'A WAV file the caller plays as the message (offline: its length is used)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l digits -d 'DTMF keys the caller presses (0-9 * #): auto-attendant menu keys, an OVA extension' -r
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l serve -d 'With --live: the call router of an `umctl serve` already running, as HOST:PORT (TCP), sips:HOST:PORT (TLS, as Skype for Business calls) or sip:HOST:PORT;transport=udp' -r
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l delivery-wait -d 'With --live: how long to wait for the message in the mailbox' -r
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l pcap -d 'With --live: write the captured SIP and RTP to this pcap file' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l tls-cert -d 'With --live over TLS: the certificate chain (PEM) the caller presents for mutual TLS [default: one for the pool FQDN from the lab CA]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l tls-key -d 'The private key (PEM) of --tls-cert' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l pcap-keys -d 'With --pcap on a Secured dial plan: write the SRTP keys of the captured media to this file (for Wireshark or libsrtp\'s rtp_decoder); they are never in the pcap itself' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l now -d 'The call\'s time, for an auto attendant\'s business hours, after hours and holidays (RFC 3339, e.g. 2027-01-04T09:00:00Z) [default: now]' -r
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l hang-up-before-beep -d 'The caller hangs up before the beep: a missed-call notification instead of a message'
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l live -d 'Place the call for real: start `umctl serve` on free loopback ports (or use --serve), play the Front End\'s side from the pool\'s address and record the real messages'
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l ladder -d 'Draw the SIP exchange as a sequence diagram instead of the hop table'
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand trace-call" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c umctl -n "__fish_umctl_using_subcommand doctor" -l port-offset -d 'With --tls: the servers listen N ports up (as `umctl serve --port-offset N`)' -r
complete -c umctl -n "__fish_umctl_using_subcommand doctor" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand doctor" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand doctor" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand doctor" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand doctor" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand doctor" -l all -d 'List every object checked, not only the broken ones'
complete -c umctl -n "__fish_umctl_using_subcommand doctor" -l powershell -d 'Print the fixes of all findings that have one as PowerShell lines'
complete -c umctl -n "__fish_umctl_using_subcommand doctor" -l tls -d 'Also connect to each UM server\'s TLS listeners (call router 5061, UM service 5063; the lab\'s hosts table, or DNS with --ldap) and check the certificates they offer against --ca-file (else the lab CA). Read-only: a handshake, then it closes'
complete -c umctl -n "__fish_umctl_using_subcommand doctor" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand doctor" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand doctor" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand doctor" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand doctor" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand doctor" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand doctor" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l server -d 'Run only this Exchange server (its name, e.g. EX-CAS01)' -r
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l startup-mode -d 'UMStartupMode: TCP, TLS or both' -r -f -a "tcp\t'TCP only (call router 5060, UM service 5062, worker 5065), plus UDP on those ports'
tls\t'TLS only (call router 5061, UM service 5063, worker 5066)'
dual\t'Both (what Skype for Business needs)'"
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l port-offset -d 'Add N to every port (5060 + N, ...), e.g. to run beside a real SIP server' -r
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l test-clock -d 'Test only: take this instant (RFC 3339) as every call\'s time for auto attendants' -r
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l max-calls -d 'MaxCallsAllowed: concurrent calls per Mailbox server (both its workers); beyond it, 503. Exchange\'s Set-UMService takes 0-200; up to 1000 is accepted for load tests' -r
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l max-connections -d 'TCP and TLS connections each SIP listener keeps open at once (beyond it, new ones are closed at once)' -r
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l max-connections-per-address -d 'Of --max-connections, those from one peer address (all its ports, TCP and TLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l max-pending-requests -d 'Overload: past N requests waiting at a listener (received and not yet taken, or with the call handler: directory lookup, call set-up), a new INVITE gets 503 with Retry-After' -r
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l log-format -d 'How the log on stderr looks (transactions, calls, MWI, SMTP; -q / -v / -vv set the level)' -r -f -a "text\t'One line of text per event, with its spans (server, component, call)'
json\t'One flat JSON object per line'"
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l drain-timeout -d 'On SIGTERM or Ctrl-C: answer 503 to new calls and to OPTIONS probes, let the active calls finish for at most this many seconds, then send BYE to the rest' -r
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l tls-cert -d 'The administrator\'s TLS certificate chain (PEM: the server\'s certificate, then the intermediates) for the servers run (one with --server NAME) [default: one per server FQDN from the lab CA in <lab>/ca]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l tls-key -d 'The private key (PEM) of --tls-cert' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l client-ca -d 'Accept peers\' TLS certificates (mutual TLS on SIPSecured and Secured dial plans) issued by the CAs in this PEM file [default: the lab CA]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l smtp -d 'Deliver voice mail to this SMTP server, smtp://host[:port] (STARTTLS when offered), through the spool in <lab>/spool [default: the lab mailbox, <lab>/mailboxes/<sAMAccountName>/Maildir]' -r
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l smtp-ca -d 'Also trust this CA certificate (PEM) for the SMTP server\'s STARTTLS certificate' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l data-dir -d 'Keep call records in DIR/calls [default: <lab>/calls; with --ldap, the platform data folder]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l metrics -d 'Serve Prometheus metrics at http://ADDR/metrics (ADDR: PORT for 127.0.0.1:PORT, or HOST:PORT)' -r
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l keep-days -d 'Remove call records older than this many days (Exchange keeps 90)' -r
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l preview-wait -d 'Wait at most this many seconds for a message\'s preview before delivering it without; a Maildir message gets its preview when ready, an SMTP one only within this wait' -r
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l preview-threshold -d 'Show a transcript when the mean confidence of its words is at least this (0 to 1); below it the message says the preview is not available' -r
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l ephemeral-ports -d 'Listen on ports the system picks (the redirects name the real ports)'
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l preview -d 'Voice Mail Preview: add a transcript (pocketsphinx, Debian\'s English model) to each voice message; needs a build with `--features preview`'
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand serve" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand serve" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand serve" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand serve" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -f -a "init" -d 'Create the lab directory from the built-in contoso.com forest'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -f -a "reset" -d 'Put the lab back to the built-in forest (the old forest and mailboxes go to backups/)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -f -a "export" -d 'Print the whole forest as LDIF'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -f -a "import" -d 'Replace the forest with an LDIF file (an export), or with a copy of a real forest\'s Exchange and Skype objects (--from-ldap); the old one is kept in backups/'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -f -a "apply" -d 'Apply LDIF change records (as ldapmodify would), all or nothing'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -f -a "hosts" -d 'Print the lab\'s FQDN to loopback address table'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -f -a "search" -d 'Search the lab like ldapsearch: print matching objects as LDIF (or JSON)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -f -a "accept-edit" -d 'Check a hand-edited forest.ldif in full and stamp it with its object count and digest, so umctl reads it again (a file that does not match its header is refused until then)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -f -a "backups" -d 'List the snapshots kept before every write (time, command, objects)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -f -a "restore" -d 'Bring back the forest of a snapshot (the current forest is kept as a snapshot first)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -f -a "diff" -d 'Show the objects and attributes that differ between the lab and a snapshot (the newest when none is given), an LDIF file, or the real AD named by --ldap'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -f -a "show" -d 'Show one object by DN or by name (cn, sAMAccountName, displayName, FQDN, SIP address)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -f -a "cert" -d 'Certificates from the lab CA (<lab>/ca): good ones, and faulty ones to test the TLS checks of trace-call --live and doctor --tls'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -f -a "pin" -d 'Outlook Voice Access PINs of the lab mailboxes: set one, clear a lockout, show the state'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -f -a "greeting" -d 'Set a user\'s voice mail greeting or recorded name (stored in the lab mailbox folder)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and not __fish_seen_subcommand_from init reset export import apply hosts search accept-edit backups restore diff show cert pin greeting help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from init" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from init" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from init" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from init" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from init" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from init" -l force -d 'Replace an existing lab (it is kept in backups/)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from init" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from init" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from init" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from init" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from init" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from init" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from init" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from reset" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from reset" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from reset" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from reset" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from reset" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from reset" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from reset" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from reset" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from reset" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from reset" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from reset" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from reset" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from reset" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from export" -s o -l out -d 'Write to this file instead of standard output' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from export" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from export" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from export" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from export" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from export" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from export" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from export" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from export" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from export" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from export" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from export" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from import" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from import" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from import" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from import" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from import" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from import" -l from-ldap -d 'Copy the Exchange UM and Skype objects of the forest named by --ldap (no secrets)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from import" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from import" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from import" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from import" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from import" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from import" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from import" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from apply" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from apply" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from apply" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from apply" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from apply" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from apply" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from apply" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from apply" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from apply" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from apply" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from apply" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from apply" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from apply" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from hosts" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from hosts" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from hosts" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from hosts" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from hosts" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from hosts" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from hosts" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from hosts" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from hosts" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from hosts" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from hosts" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from hosts" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from hosts" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from search" -s b -l base -d 'Where to start [default: the forest root]' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from search" -s s -l scope -d 'How deep to look' -r -f -a "base\t'The base object only'
one\t'The base\'s children'
sub\t'The base and everything below it'"
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from search" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from search" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from search" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from search" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from search" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from search" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from search" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from search" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from search" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from search" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from search" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from search" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from search" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from accept-edit" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from accept-edit" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from accept-edit" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from accept-edit" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from accept-edit" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from accept-edit" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from accept-edit" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from accept-edit" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from accept-edit" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from accept-edit" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from accept-edit" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from accept-edit" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from accept-edit" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from backups" -l keep -d 'Keep the N newest snapshots from now on (default 20); older ones are removed' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from backups" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from backups" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from backups" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from backups" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from backups" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from backups" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from backups" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from backups" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from backups" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from backups" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from backups" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from backups" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from backups" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from restore" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from restore" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from restore" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from restore" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from restore" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from restore" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from restore" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from restore" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from restore" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from restore" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from restore" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from restore" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from restore" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from diff" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from diff" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from diff" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from diff" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from diff" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from diff" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from diff" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from diff" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from diff" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from diff" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from diff" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from diff" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from show" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from show" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from show" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from show" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from show" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from show" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from show" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from show" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from show" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from cert" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from cert" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from cert" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from cert" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from cert" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from cert" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from cert" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from cert" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from cert" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from cert" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from cert" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from cert" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from cert" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from cert" -f -a "issue" -d 'Issue a certificate (PEM chain and key) for an Exchange server or a Skype pool: good by default, or with exactly the faults asked for'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from cert" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from pin" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from pin" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from pin" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from pin" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from pin" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from pin" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from pin" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from pin" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from pin" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from pin" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from pin" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from pin" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from pin" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from pin" -f -a "set" -d 'Set a user\'s PIN (UM mailbox policy: 6-24 digits, no repeated or sequential digits, not the extension); read from --pin-file, else $UMCTL_PIN, else a prompt, never the command line; clears the failure count and lockout'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from pin" -f -a "reset" -d 'Clear a user\'s lockout and failure count (the PIN stays)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from pin" -f -a "show" -d 'Whether a user has a PIN, is locked out, and the failures counted (never the hash)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from pin" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from greeting" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from greeting" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from greeting" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from greeting" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from greeting" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from greeting" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from greeting" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from greeting" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from greeting" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from greeting" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from greeting" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from greeting" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from greeting" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from greeting" -f -a "set" -d 'Make FILE the user\'s custom greeting (greeting.wav): callers hear it instead of the system greeting; with --away, the away (out-of-office) greeting (away.wav)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from greeting" -f -a "away" -d 'Turn the user\'s away (out-of-office) greeting on or off'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from greeting" -f -a "record-name" -d 'Make FILE the user\'s recorded name (name.wav), played inside the system greeting'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from greeting" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "init" -d 'Create the lab directory from the built-in contoso.com forest'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "reset" -d 'Put the lab back to the built-in forest (the old forest and mailboxes go to backups/)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "export" -d 'Print the whole forest as LDIF'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "import" -d 'Replace the forest with an LDIF file (an export), or with a copy of a real forest\'s Exchange and Skype objects (--from-ldap); the old one is kept in backups/'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "apply" -d 'Apply LDIF change records (as ldapmodify would), all or nothing'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "hosts" -d 'Print the lab\'s FQDN to loopback address table'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "search" -d 'Search the lab like ldapsearch: print matching objects as LDIF (or JSON)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "accept-edit" -d 'Check a hand-edited forest.ldif in full and stamp it with its object count and digest, so umctl reads it again (a file that does not match its header is refused until then)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "backups" -d 'List the snapshots kept before every write (time, command, objects)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "restore" -d 'Bring back the forest of a snapshot (the current forest is kept as a snapshot first)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "diff" -d 'Show the objects and attributes that differ between the lab and a snapshot (the newest when none is given), an LDIF file, or the real AD named by --ldap'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one object by DN or by name (cn, sAMAccountName, displayName, FQDN, SIP address)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "cert" -d 'Certificates from the lab CA (<lab>/ca): good ones, and faulty ones to test the TLS checks of trace-call --live and doctor --tls'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "pin" -d 'Outlook Voice Access PINs of the lab mailboxes: set one, clear a lockout, show the state'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "greeting" -d 'Set a user\'s voice mail greeting or recorded name (stored in the lab mailbox folder)'
complete -c umctl -n "__fish_umctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and not __fish_seen_subcommand_from calls summary help" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand report; and not __fish_seen_subcommand_from calls summary help" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand report; and not __fish_seen_subcommand_from calls summary help" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand report; and not __fish_seen_subcommand_from calls summary help" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand report; and not __fish_seen_subcommand_from calls summary help" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand report; and not __fish_seen_subcommand_from calls summary help" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and not __fish_seen_subcommand_from calls summary help" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and not __fish_seen_subcommand_from calls summary help" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and not __fish_seen_subcommand_from calls summary help" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand report; and not __fish_seen_subcommand_from calls summary help" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and not __fish_seen_subcommand_from calls summary help" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and not __fish_seen_subcommand_from calls summary help" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand report; and not __fish_seen_subcommand_from calls summary help" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand report; and not __fish_seen_subcommand_from calls summary help" -f -a "calls" -d 'The call data records, newest first (Get-UMCallDataRecord)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and not __fish_seen_subcommand_from calls summary help" -f -a "summary" -d 'Totals per dial plan, gateway or server and per day or month (Get-UMCallSummaryReport)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and not __fish_seen_subcommand_from calls summary help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -l data-dir -d 'Read the records of DIR/calls (serve\'s --data-dir) [default: <lab>/calls; with --ldap, the platform data folder]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -l user -d 'Only calls of this user (sAMAccountName or number: mailbox, signed-in user, caller, callee)' -r
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -l dial-plan -d 'Only calls of this dial plan' -r
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -l since -d 'Only calls at or after T (YYYY-MM-DD or RFC 3339)' -r
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -l until -d 'Only calls before T (YYYY-MM-DD or RFC 3339)' -r
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -l type -d 'Only calls of this type (CallAnsweringVoiceMessage, CallAnsweringMissedCall, SubscriberAccess, AutoAttendant, Rejected, ...)' -r
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -l csv -d 'Print CSV with Exchange\'s column names'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from calls" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from summary" -l data-dir -d 'Read the records of DIR/calls (serve\'s --data-dir) [default: <lab>/calls; with --ldap, the platform data folder]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from summary" -l group-by -d 'One row per dial plan, UM IP gateway or server' -r -f -a "dial-plan\t''
gateway\t''
server\t''"
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from summary" -l interval -d 'One row per day or per month' -r -f -a "day\t''
month\t''"
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from summary" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from summary" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from summary" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from summary" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from summary" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from summary" -l csv -d 'Print CSV with Exchange\'s column names'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from summary" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from summary" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from summary" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from summary" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from summary" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from summary" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from summary" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from summary" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "calls" -d 'The call data records, newest first (Get-UMCallDataRecord)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "summary" -d 'Totals per dial plan, gateway or server and per day or month (Get-UMCallSummaryReport)'
complete -c umctl -n "__fish_umctl_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c umctl -n "__fish_umctl_using_subcommand completions" -l lab -d 'The lab directory folder (used when no --ldap is given) [default: the platform data folder, e.g. ~/.local/share/umctl/lab]' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand completions" -l ldap -d 'A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)' -r
complete -c umctl -n "__fish_umctl_using_subcommand completions" -l bind-dn -d 'The account to bind as: a DN or a UPN (administrator@contoso.com)' -r
complete -c umctl -n "__fish_umctl_using_subcommand completions" -l password-file -d 'Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand completions" -l ca-file -d 'Trust the CA certificates in this PEM file: the DC\'s (--ldap, for a private CA) and the SIP servers\' (trace-call --live over TLS) instead of the lab CA' -r -F
complete -c umctl -n "__fish_umctl_using_subcommand completions" -l sasl-gssapi -d 'Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind (needs a umctl built with the gssapi feature)'
complete -c umctl -n "__fish_umctl_using_subcommand completions" -l insecure-plain-bind -d 'Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos bind on ldap:// is sealed and needs no flag)'
complete -c umctl -n "__fish_umctl_using_subcommand completions" -l start-tls -d 'Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)'
complete -c umctl -n "__fish_umctl_using_subcommand completions" -l json -d 'Print one JSON document instead of tables'
complete -c umctl -n "__fish_umctl_using_subcommand completions" -s y -l yes -d 'Answer yes to confirmations (needed when not on a terminal)'
complete -c umctl -n "__fish_umctl_using_subcommand completions" -s v -l verbose -d 'Say more about what is being done (repeat for more)'
complete -c umctl -n "__fish_umctl_using_subcommand completions" -s q -l quiet -d 'Print only results and errors'
complete -c umctl -n "__fish_umctl_using_subcommand completions" -s h -l help -d 'Print help'
complete -c umctl -n "__fish_umctl_using_subcommand help; and not __fish_seen_subcommand_from grant-permissions new-contact contact aa trace-call doctor serve lab report completions help" -f -a "grant-permissions" -d 'Let Skype for Business read Exchange UM and give each pool a UM IP gateway with hunt groups (what ExchUCUtil.ps1 does): plan, confirm, apply all or nothing; or verify'
complete -c umctl -n "__fish_umctl_using_subcommand help; and not __fish_seen_subcommand_from grant-permissions new-contact contact aa trace-call doctor serve lab report completions help" -f -a "new-contact" -d 'Create an Outlook Voice Access (subscriber access) or auto-attendant contact with its dial plan in otherIPPhone: New-CsExUmContact and the dial-plan edit in one step'
complete -c umctl -n "__fish_umctl_using_subcommand help; and not __fish_seen_subcommand_from grant-permissions new-contact contact aa trace-call doctor serve lab report completions help" -f -a "contact" -d 'List, show, change or remove Exchange UM contacts (the *-CsExUmContact family)'
complete -c umctl -n "__fish_umctl_using_subcommand help; and not __fish_seen_subcommand_from grant-permissions new-contact contact aa trace-call doctor serve lab report completions help" -f -a "aa" -d 'Show or change an auto attendant\'s hours, holidays, after-hours menu and greetings'
complete -c umctl -n "__fish_umctl_using_subcommand help; and not __fish_seen_subcommand_from grant-permissions new-contact contact aa trace-call doctor serve lab report completions help" -f -a "trace-call" -d 'Follow one call hop by hop (Skype front end, AD, CAS call router, UM service, worker, transport) and name the first broken hop, why, and the fix'
complete -c umctl -n "__fish_umctl_using_subcommand help; and not __fish_seen_subcommand_from grant-permissions new-contact contact aa trace-call doctor serve lab report completions help" -f -a "doctor" -d 'Check the whole deployment at once, read-only: every user, contact, OVA and auto-attendant number, dial plan, server, gateway and pool; findings grouped by cause'
complete -c umctl -n "__fish_umctl_using_subcommand help; and not __fish_seen_subcommand_from grant-permissions new-contact contact aa trace-call doctor serve lab report completions help" -f -a "serve" -d 'Run Exchange\'s SIP side on the lab addresses: the UM Call Router of each Client Access server, the UM service and the UM worker of each Mailbox server'
complete -c umctl -n "__fish_umctl_using_subcommand help; and not __fish_seen_subcommand_from grant-permissions new-contact contact aa trace-call doctor serve lab report completions help" -f -a "lab" -d 'Manage the embedded lab directory: init, reset, export, import, apply, hosts, search, show, pin, greeting'
complete -c umctl -n "__fish_umctl_using_subcommand help; and not __fish_seen_subcommand_from grant-permissions new-contact contact aa trace-call doctor serve lab report completions help" -f -a "report" -d 'Call data records and summaries of the calls serve took (Get-UMCallDataRecord, Get-UMCallSummaryReport)'
complete -c umctl -n "__fish_umctl_using_subcommand help; and not __fish_seen_subcommand_from grant-permissions new-contact contact aa trace-call doctor serve lab report completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c umctl -n "__fish_umctl_using_subcommand help; and not __fish_seen_subcommand_from grant-permissions new-contact contact aa trace-call doctor serve lab report completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from contact" -f -a "list" -d 'List the Exchange UM contacts (Get-CsExUmContact)'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from contact" -f -a "show" -d 'Show one contact'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from contact" -f -a "set" -d 'Change a contact, keeping otherIPPhone in step (Set-CsExUmContact)'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from contact" -f -a "remove" -d 'Remove a contact (asks first unless --yes; Remove-CsExUmContact)'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from aa" -f -a "show" -d 'Show an auto attendant: pilots, time zone, business hours, holidays, the menu and greeting of each period (Get-UMAutoAttendant)'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from aa" -f -a "set" -d 'Change an auto attendant\'s time zone, business hours, holidays and after-hours menu (Set-UMAutoAttendant)'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from aa" -f -a "greeting" -d 'Set the welcome greeting of one period from a WAV file'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "init" -d 'Create the lab directory from the built-in contoso.com forest'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "reset" -d 'Put the lab back to the built-in forest (the old forest and mailboxes go to backups/)'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "export" -d 'Print the whole forest as LDIF'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "import" -d 'Replace the forest with an LDIF file (an export), or with a copy of a real forest\'s Exchange and Skype objects (--from-ldap); the old one is kept in backups/'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "apply" -d 'Apply LDIF change records (as ldapmodify would), all or nothing'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "hosts" -d 'Print the lab\'s FQDN to loopback address table'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "search" -d 'Search the lab like ldapsearch: print matching objects as LDIF (or JSON)'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "accept-edit" -d 'Check a hand-edited forest.ldif in full and stamp it with its object count and digest, so umctl reads it again (a file that does not match its header is refused until then)'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "backups" -d 'List the snapshots kept before every write (time, command, objects)'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "restore" -d 'Bring back the forest of a snapshot (the current forest is kept as a snapshot first)'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "diff" -d 'Show the objects and attributes that differ between the lab and a snapshot (the newest when none is given), an LDIF file, or the real AD named by --ldap'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "show" -d 'Show one object by DN or by name (cn, sAMAccountName, displayName, FQDN, SIP address)'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "cert" -d 'Certificates from the lab CA (<lab>/ca): good ones, and faulty ones to test the TLS checks of trace-call --live and doctor --tls'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "pin" -d 'Outlook Voice Access PINs of the lab mailboxes: set one, clear a lockout, show the state'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "greeting" -d 'Set a user\'s voice mail greeting or recorded name (stored in the lab mailbox folder)'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from report" -f -a "calls" -d 'The call data records, newest first (Get-UMCallDataRecord)'
complete -c umctl -n "__fish_umctl_using_subcommand help; and __fish_seen_subcommand_from report" -f -a "summary" -d 'Totals per dial plan, gateway or server and per day or month (Get-UMCallSummaryReport)'
