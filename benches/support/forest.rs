//! The generated bench forest: the built-in contoso.com forest plus 100,000 UM-enabled,
//! Skype-enabled users in LOC801 (EUM proxies, line URI, home pool), shared by the benches.
//! Also the LDIF of what grant-permissions does to it, so a bench can time a call that works.

#![allow(dead_code)]

use umctl::directory::lab::seed;

pub const USERS: usize = 100_000;
pub const OU: &str = "OU=Bench Users,DC=contoso,DC=com";
const ORG: &str = "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
const DIAL_PLAN: &str =
    "CN=LOC801,CN=UM DialPlan Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
const POOL: &str = "CN=1:1,CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,DC=contoso,DC=com";

/// The built-in forest plus USERS users, as LDIF.
pub fn generated_forest() -> String {
    let mut ldif = String::with_capacity(USERS * 1000);
    ldif.push_str(seed::FOREST);
    ldif.push_str(&format!(
        "\ndn: {OU}\nobjectClass: top\nobjectClass: organizationalUnit\nou: Bench Users\n"
    ));
    for i in 0..USERS {
        let ext = 1_000_000 + i;
        ldif.push_str(&format!(
            "\ndn: CN=User {i:06},{OU}\n\
             objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\n\
             cn: User {i:06}\nsAMAccountName: u{i:06}\ndisplayName: User {i:06}\n\
             userPrincipalName: u{i:06}@contoso.com\nmail: u{i:06}@contoso.com\n\
             objectSid: S-1-5-21-2718281828-3141592653-1414213562-{rid}\n\
             proxyAddresses: SMTP:u{i:06}@contoso.com\nproxyAddresses: sip:u{i:06}@contoso.com\n\
             proxyAddresses: eum:{ext};phone-context=LOC801.contoso.com\n\
             proxyAddresses: eum:u{i:06}@contoso.com;phone-context=LOC801.contoso.com\n\
             msRTCSIP-PrimaryUserAddress: sip:u{i:06}@contoso.com\nmsRTCSIP-UserEnabled: TRUE\n\
             msRTCSIP-Line: tel:+96265{ext};ext={ext}\n\
             msRTCSIP-PrimaryHomeServer: {POOL}\n\
             msExchUMEnabledFlags: 831\nmsExchUMRecipientDialPlanLink: {DIAL_PLAN}\n\
             msExchHomeServerName: /o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=EX-MBX01\n",
            rid = 100_000 + i,
        ));
    }
    ldif
}

/// What grant-permissions does for pool01 and LOC801: the 8 read ACEs of the RTC groups, the
/// gateway `1:1` and its hunt group `LOC801` (fixtures/lab/README.md).
pub fn grant_ldif() -> String {
    let sid = "S-1-5-21-2718281828-3141592653-1414213562";
    let inherited = format!("(A;CIID;GA;;;EA)(A;CIID;GA;;;DA)(A;CIID;GA;;;SY)(A;CIID;GA;;;{sid}-1111)(A;CIID;LCRPLORC;;;{sid}-1112)");
    let both = format!("(A;CI;LCRP;;;{sid}-1101)(A;CI;LCRP;;;{sid}-1102)");
    let um = format!("(A;CI;GA;;;{sid}-1113)");
    let mut out = format!(
        "dn: {ORG}\nchangetype: modify\nreplace: nTSecurityDescriptor\nnTSecurityDescriptor: O:EAG:EAD:PAI(A;CI;GA;;;EA)(A;CI;GA;;;DA)(A;CI;GA;;;SY)(A;CI;GA;;;{sid}-1111)(A;CI;LCRPLORC;;;{sid}-1112)(A;;RPLCLORC;;;AU)(A;;LC;;;{sid}-1101)(A;;LC;;;{sid}-1102)\n-\n\n"
    );
    for (cn, own) in [
        ("UM DialPlan Container", um.as_str()),
        ("UM AutoAttendant Container", um.as_str()),
        ("Administrative Groups", ""),
    ] {
        out.push_str(&format!(
            "dn: CN={cn},{ORG}\nchangetype: modify\nreplace: nTSecurityDescriptor\nnTSecurityDescriptor: O:EAG:EAD:AI{own}{both}{inherited}\n-\n\n"
        ));
    }
    out.push_str(&format!(
        "dn: CN=1:1,CN=UM IPGateway Container,{ORG}\nchangetype: add\nobjectClass: top\nobjectClass: msExchUMIPGateway\ncn: 1:1\nmsExchUMIPGatewayAddress: pool01.contoso.com\nmsExchUMIPGatewayPort: 0\n\n\
         dn: CN=LOC801,CN=1:1,CN=UM IPGateway Container,{ORG}\nchangetype: add\nobjectClass: top\nobjectClass: msExchUMHuntGroup\ncn: LOC801\nmsExchUMHuntGroupDialPlanLink: {DIAL_PLAN}\nmsExchUMPilotIdentifier: LOC801\n\n"
    ));
    out
}
