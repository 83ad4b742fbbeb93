//! A real AD with more objects than one LDAP page (umctl asks for 500 a page): 1,500 Skype
//! users and 520 Exchange UM contacts in Samba, read whole by `lab import --from-ldap`,
//! `contact list` and `lab diff --ldap`.

use crate::samba_dc::SambaDc;
use crate::support::TempLab;

const USERS: usize = 1500;
const CONTACTS: usize = 520;
const ORG: &str = "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";

/// The users and contacts as one LDIF of add records.
fn population(base: &str) -> String {
    let mut ldif = String::new();
    for i in 0..USERS {
        ldif.push_str(&format!(
            "dn: CN=u{i:04},CN=Users,{base}\nchangetype: add\nobjectClass: user\n\
             sAMAccountName: u{i:04}\nmsRTCSIP-PrimaryUserAddress: sip:u{i:04}@contoso.com\n\n"
        ));
    }
    for i in 0..CONTACTS {
        ldif.push_str(&format!(
            "dn: CN=c{i:04},OU=ExUmContacts,{base}\nchangetype: add\nobjectClass: contact\n\
             displayName: OVA {i:04}\nmsRTCSIP-PrimaryUserAddress: sip:c.{i:04}@contoso.com\n\
             msRTCSIP-Line: tel:+9626559{i:04}\ntelephoneNumber: +9626559{i:04}\n\
             msRTCSIP-PrimaryHomeServer: CN=1:1,CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,{base}\n\
             msRTCSIP-UserEnabled: TRUE\nmsRTCSIP-OptionFlags: 384\n\
             msRTCSIP-SourceObjectType: -1879048192\n\
             msDS-SourceObjectDN: CN=LOC801,CN=UM DialPlan Container,{ORG}\n\
             otherIPPhone: SA:sip:c.{i:04}@contoso.com;phone-context=LOC801.contoso.com\n\n"
        ));
    }
    ldif
}

#[test]
fn listings_longer_than_a_page_are_read_whole() {
    let Some(dc) = SambaDc::start("samba_paging::listings_longer_than_a_page_are_read_whole")
    else {
        return;
    };
    let started = std::time::Instant::now();
    dc.ldapmodify(&population(&dc.info.base));
    eprintln!(
        "added {USERS} users and {CONTACTS} contacts in {:?}",
        started.elapsed()
    );
    let admin = dc.admin_args();
    let with_admin = |args: &[&str]| -> Vec<String> {
        let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        all.extend(admin.iter().cloned());
        all
    };

    // lab import --from-ldap reads every user and contact.
    let lab = TempLab::empty();
    let args = with_admin(&["lab", "import", "--from-ldap", "--json"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = lab.run(&args).ok();
    let objects = run.json()["objects"].as_u64().unwrap() as usize;
    assert!(objects > USERS + CONTACTS, "{objects} objects");
    let export = lab.export();
    for i in [0, 499, 500, 999, 1000, USERS - 1] {
        let sip = format!("msRTCSIP-PrimaryUserAddress: sip:u{i:04}@contoso.com");
        assert!(export.contains(&sip), "the copy lacks {sip}");
    }

    // contact list over LDAP reads every contact.
    let args = with_admin(&["contact", "list", "--json"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let listed = lab.run(&args).ok().json();
    let sips: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .filter(|c| c.contains("sip:c."))
        .collect();
    assert_eq!(sips.len(), CONTACTS, "contact list over LDAP");
    // ... and from the copy.
    let copied = lab.run(&["contact", "list", "--json"]).ok().json();
    assert!(copied.as_array().unwrap().len() >= CONTACTS);

    // lab diff --ldap: nothing differs after the copy; then one change on the DC shows.
    let args = with_admin(&["lab", "diff"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = lab.run(&args).ok();
    assert!(run.stdout.contains("No differences"), "{}", run.stdout);
    dc.ldapmodify(&format!(
        "dn: CN=u1234,CN=Users,{}\nchangetype: modify\nadd: description\ndescription: changed on the DC\n-\n",
        dc.info.base
    ));
    let run = lab.run(&args).ok();
    assert!(
        run.stdout
            .contains(&format!("~ dn: CN=u1234,CN=Users,{}", dc.info.base))
            && run.stdout.contains("  - description: changed on the DC"),
        "{}",
        run.stdout
    );
}
