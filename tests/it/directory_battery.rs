//! One directory test battery, run against the lab directory and against Samba AD DC through
//! `LdapDirectory`: the same calls must give the same answers on both. Where they differed,
//! the lab was fixed to behave like AD.

use std::collections::BTreeSet;

use umctl::directory::lab::LabDirectory;
use umctl::directory::ldap::LdapDirectory;
use umctl::directory::model::rtc_group::sid_from_value;
use umctl::directory::security::access::{ace_for, dacl_grants, Inheritance};
use umctl::directory::security::AccessMask;
use umctl::directory::{
    Change, Directory, DirectoryError, Dn, Entry, Filter, ModOp, Modification, Scope,
};

use crate::samba_dc::SambaDc;
use crate::support::TempLab;

const USERS: &str = "OU=Contoso Users,DC=contoso,DC=com";
const CONTACTS: &str = "OU=ExUmContacts,DC=contoso,DC=com";
const ORG: &str = "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
const RTC_SERVICES_SID: &str = "S-1-5-21-2718281828-3141592653-1414213562-1102";

fn dn(s: &str) -> Dn {
    Dn::parse(s).unwrap()
}

fn dns(entries: &[Entry]) -> BTreeSet<String> {
    entries.iter().map(|e| e.dn.norm().to_string()).collect()
}

fn modification(op: ModOp, attr: &str, values: &[&str]) -> Modification {
    Modification {
        op,
        attr: attr.into(),
        values: values.iter().map(|v| v.as_bytes().to_vec()).collect(),
    }
}

/// The battery, written once.
mod battery {
    use super::*;

    pub fn naming_contexts(d: &dyn Directory) {
        let nc = d.naming_contexts().unwrap();
        assert_eq!(nc.default, dn("DC=contoso,DC=com"));
        assert_eq!(nc.configuration, dn("CN=Configuration,DC=contoso,DC=com"));
        assert_eq!(
            nc.schema,
            dn("CN=Schema,CN=Configuration,DC=contoso,DC=com")
        );
    }

    pub fn search_and_filters(d: &dyn Directory) {
        let bob = d
            .search(
                &dn(USERS),
                Scope::Subtree,
                &Filter::eq("sAMAccountName", "BOB"),
                &["proxyAddresses", "msRTCSIP-Line"],
            )
            .unwrap();
        assert_eq!(bob.len(), 1);
        assert_eq!(
            bob[0].first("msRTCSIP-Line"),
            Some("tel:+96265519000;ext=9000")
        );
        assert!(
            bob[0].first("sAMAccountName").is_none(),
            "only the asked attributes"
        );
        let by_eum = Filter::parse(
            "(&(objectClass=user)(proxyAddresses=EUM:9000;phone-context=loc801.contoso.com))",
        )
        .unwrap();
        assert_eq!(
            dns(&d.search(&dn(USERS), Scope::Subtree, &by_eum, &[]).unwrap()),
            dns(&bob)
        );
        let none = Filter::eq("sAMAccountName", "nobody-at-all");
        assert!(d
            .search(&dn(USERS), Scope::Subtree, &none, &[])
            .unwrap()
            .is_empty());
        let dial_plans = d
            .search(
                &dn(&format!("CN=UM DialPlan Container,{ORG}")),
                Scope::OneLevel,
                &Filter::eq("objectClass", "msExchUMDialPlan"),
                &["cn"],
            )
            .unwrap();
        assert_eq!(dial_plans.len(), 4);
        let base = d
            .search(
                &dn(ORG),
                Scope::Base,
                &Filter::Present("objectClass".into()),
                &["cn"],
            )
            .unwrap();
        assert_eq!(base.len(), 1);
        let missing = d.search(
            &dn(&format!("OU=Nowhere,{USERS}")),
            Scope::Subtree,
            &none,
            &[],
        );
        assert!(
            matches!(missing, Err(DirectoryError::NoSuchObject { .. })),
            "{missing:?}"
        );
    }

    pub fn dn_case_insensitivity(d: &dyn Directory) {
        let lower = dn(&ORG.to_lowercase());
        let entry = d.read(&lower, &["cn"]).unwrap().expect("the organization");
        assert_eq!(entry.dn, dn(ORG));
        assert_eq!(entry.first("cn"), Some("Contoso"));
    }

    pub fn binary_attributes(d: &dyn Directory) {
        let group = d
            .search(
                &dn("DC=contoso,DC=com"),
                Scope::Subtree,
                &Filter::eq("sAMAccountName", "RTCComponentUniversalServices"),
                &["objectSid"],
            )
            .unwrap();
        let sid = sid_from_value(group[0].first_bytes("objectSid").unwrap()).unwrap();
        assert_eq!(sid.to_string(), RTC_SERVICES_SID);
        assert_eq!(
            d.domain_sid().unwrap().unwrap().to_string(),
            "S-1-5-21-2718281828-3141592653-1414213562"
        );
    }

    pub fn add_modify_delete(d: &dyn Directory) {
        let contact = dn(&format!("CN=Battery Contact,{CONTACTS}"));
        let entry = Entry::new(contact.clone())
            .with("objectClass", "top")
            .with("objectClass", "person")
            .with("objectClass", "organizationalPerson")
            .with("objectClass", "contact")
            .with("displayName", "Battery Contact")
            .with(
                "otherIPPhone",
                "SA:sip:battery@contoso.com;phone-context=LOC801.contoso.com",
            )
            .with("otherIPPhone", "second value");
        d.add(entry.clone()).unwrap();
        let again = d.add(entry);
        assert!(
            matches!(again, Err(DirectoryError::AlreadyExists { .. })),
            "{again:?}"
        );
        let read = d.read(&contact, &[]).unwrap().unwrap();
        assert_eq!(
            read.values("otherIPPhone").len(),
            2,
            "multi-valued attribute"
        );
        d.modify(
            &contact,
            &[
                modification(ModOp::Add, "otherIPPhone", &["third value"]),
                modification(ModOp::Delete, "otherIPPhone", &["second value"]),
                modification(ModOp::Replace, "description", &["changed"]),
            ],
        )
        .unwrap();
        let read = d.read(&contact, &[]).unwrap().unwrap();
        let mut phones: Vec<&str> = read.str_values("otherIPPhone").collect();
        phones.sort();
        assert_eq!(
            phones,
            [
                "SA:sip:battery@contoso.com;phone-context=LOC801.contoso.com",
                "third value"
            ]
        );
        assert_eq!(read.first("description"), Some("changed"));
        let bad_delete = d.modify(
            &contact,
            &[modification(ModOp::Delete, "otherIPPhone", &["not there"])],
        );
        assert!(bad_delete.is_err(), "deleting a missing value is an error");
        let not_leaf = d.delete(&dn(CONTACTS));
        assert!(not_leaf.is_err(), "an OU with a child cannot be deleted");
        d.delete(&contact).unwrap();
        assert!(d.read(&contact, &[]).unwrap().is_none());
        let gone = d.delete(&contact);
        assert!(
            matches!(gone, Err(DirectoryError::NoSuchObject { .. })),
            "{gone:?}"
        );
        let orphan = d.add(
            Entry::new(dn(&format!("CN=Orphan,OU=Nowhere,{USERS}"))).with("objectClass", "contact"),
        );
        assert!(
            orphan.as_ref().is_err_and(|e| e.exit_code() == 2),
            "{orphan:?}"
        );
        let two_lines = d.add(
            Entry::new(dn(&format!("CN=Two Lines,{CONTACTS}")))
                .with("objectClass", "contact")
                .with("msRTCSIP-Line", "tel:+1001")
                .with("msRTCSIP-Line", "tel:+1002"),
        );
        assert!(
            two_lines.as_ref().is_err_and(|e| e.exit_code() == 2),
            "single-valued: {two_lines:?}"
        );
        assert!(d
            .read(&dn(&format!("CN=Two Lines,{CONTACTS}")), &[])
            .unwrap()
            .is_none());
    }

    pub fn apply_is_all_or_nothing(d: &dyn Directory) {
        let first = dn(&format!("CN=Batch One,{CONTACTS}"));
        let changes = vec![
            Change::Add(Entry::new(first.clone()).with("objectClass", "contact")),
            Change::Modify(
                dn(CONTACTS),
                vec![modification(ModOp::Replace, "description", &["batch"])],
            ),
            Change::Delete(dn(&format!("CN=Not There,{CONTACTS}"))),
        ];
        let err = d.apply(&changes).unwrap_err();
        assert_eq!(err.step, 3, "{err}");
        assert!(d.read(&first, &[]).unwrap().is_none(), "step 1 was undone");
        let ou = d.read(&dn(CONTACTS), &["description"]).unwrap().unwrap();
        assert_ne!(ou.first("description"), Some("batch"), "step 2 was undone");
    }

    pub fn security_descriptors(d: &dyn Directory) {
        let container = dn(&format!("CN=UM DialPlan Container,{ORG}"));
        let group = RTC_SERVICES_SID.parse().unwrap();
        let sd = d.read_security(&container).unwrap().expect("a descriptor");
        let dacl = sd.dacl.clone().expect("a DACL");
        let read = AccessMask::LIST_CHILDREN | AccessMask::READ_PROPERTY;
        assert!(
            !dacl_grants(&dacl, &group, read, Inheritance::ContainerInherit),
            "a fresh forest grants nothing"
        );
        let mut updated = dacl.clone();
        updated.add_ace(ace_for(&group, read, Inheritance::ContainerInherit));
        d.write_dacl(&container, &updated).unwrap();
        let after = d.read_security(&container).unwrap().unwrap().dacl.unwrap();
        assert!(dacl_grants(
            &after,
            &group,
            read,
            Inheritance::ContainerInherit
        ));
        // Back as it was, through the all-or-nothing path.
        d.apply(&[Change::SetDacl(container.clone(), dacl)])
            .unwrap();
        let restored = d.read_security(&container).unwrap().unwrap().dacl.unwrap();
        assert!(!dacl_grants(
            &restored,
            &group,
            read,
            Inheritance::ContainerInherit
        ));
    }
}

macro_rules! battery {
    ($($name:ident),* $(,)?) => {
        mod lab {
            use super::*;
            fn lab() -> (TempLab, LabDirectory) {
                let tmp = TempLab::new();
                let lab = LabDirectory::open(tmp.path()).unwrap();
                (tmp, lab)
            }
            $(#[test] fn $name() { let (_tmp, d) = lab(); battery::$name(&d); })*
        }
        mod samba {
            use super::*;
            $(#[test] fn $name() {
                let Some(dc) = SambaDc::start(concat!("directory_battery::samba::", stringify!($name))) else { return };
                let d = LdapDirectory::connect(&dc.admin_target()).unwrap();
                battery::$name(&d);
            })*
        }
    };
}

battery!(
    naming_contexts,
    search_and_filters,
    dn_case_insensitivity,
    binary_attributes,
    add_modify_delete,
    apply_is_all_or_nothing,
    security_descriptors,
);

/// The same filters give the same objects on both backends.
#[test]
fn searches_agree_between_the_lab_and_samba() {
    let Some(dc) = SambaDc::start("searches_agree_between_the_lab_and_samba") else {
        return;
    };
    let tmp = TempLab::new();
    let lab = LabDirectory::open(tmp.path()).unwrap();
    let ad = LdapDirectory::connect(&dc.admin_target()).unwrap();
    let cases = [
        (USERS, "(objectClass=user)"),
        (
            USERS,
            "(&(objectClass=user)(msExchUMEnabledFlags:1.2.840.113556.1.4.803:=1))",
        ),
        (USERS, "(proxyAddresses=eum:*)"),
        (USERS, "(!(proxyAddresses=eum:*))"),
        (
            USERS,
            "(|(msExchUCVoiceMailSettings=CsHostedVoiceMail=1)(msRTCSIP-UserEnabled=FALSE))",
        ),
        (USERS, "(msRTCSIP-Line=tel:+9626551*)"),
        (
            USERS,
            "(&(msRTCSIP-PrimaryUserAddress=*)(!(msExchUMRecipientDialPlanLink=*)))",
        ),
        (ORG, "(objectClass=msExchUMDialPlan)"),
        (
            ORG,
            "(&(objectClass=msExchUMDialPlan)(msExchUMDialPlanURIType=2))",
        ),
        (ORG, "(msExchUMVoiceMailPilotNumbers=+96265515333)"),
        (ORG, "(objectClass=msExchUMIPGateway)"),
        (ORG, "(objectClass=msExchUMHuntGroup)"),
        (
            ORG,
            "(&(objectClass=msExchExchangeServer)(msExchCurrentServerRoles>=16))",
        ),
        (ORG, "(msExchUMAutoAttendantBusinessHourFeatures=key=1;*)"),
        (
            "CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,DC=contoso,DC=com",
            "(msRTCSIP-PoolData=ExtendedType=RemoteRegistrar)",
        ),
        ("DC=contoso,DC=com", "(objectCategory=msRTCSIP-Pools)"),
    ];
    for (base, filter) in cases {
        let f = Filter::parse(filter).unwrap();
        let on_lab = dns(&lab.search(&dn(base), Scope::Subtree, &f, &["cn"]).unwrap());
        let on_ad = dns(&ad.search(&dn(base), Scope::Subtree, &f, &["cn"]).unwrap());
        assert!(
            !on_lab.is_empty() || filter.contains('!'),
            "{filter} should find something in the lab"
        );
        assert_eq!(on_lab, on_ad, "{filter} under {base}");
    }
}
