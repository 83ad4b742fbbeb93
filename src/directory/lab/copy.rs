//! Copying a real forest's Exchange UM and Skype objects into a lab (`umctl lab import
//! --from-ldap`), so an administrator can rehearse against a copy of production.
//!
//! What is copied: the domain object, the RTC groups, the Skype pools container and pools,
//! the Exchange organization subtree (dial plans, auto attendants, gateways, hunt groups,
//! policies, servers), the users and contacts that carry Skype or UM attributes, and the OUs. Parents
//! that were not copied are stood in for by plain containers. The UM containers keep their
//! DACLs (as SDDL); nothing else keeps a security descriptor. Secrets (password hashes, PIN
//! checksums) and replication bookkeeping are never copied.

use std::collections::BTreeMap;

use crate::directory::model::attrs;
use crate::directory::model::rtc_group::RTC_GROUP_NAMES;
use crate::directory::{Directory, Dn, Entry, Filter, Result, Scope};

/// Attributes never copied: secrets, and bookkeeping the lab would only carry around.
const NEVER_COPIED: &[&str] = &[
    "unicodePwd",
    "userPassword",
    "supplementalCredentials",
    "dBCSPwd",
    "ntPwdHistory",
    "lmPwdHistory",
    "msExchUMPinChecksum",
    "msDS-ManagedPassword",
    "msDS-KeyCredentialLink",
    "msFVE-RecoveryPassword",
    "msLAPS-Password",
    "ms-Mcs-AdmPwd",
    "pwdLastSet",
    "badPasswordTime",
    "badPwdCount",
    "lastLogon",
    "lastLogonTimestamp",
    "logonCount",
    "replPropertyMetaData",
    "replUpToDateVector",
    "repsFrom",
    "repsTo",
    "uSNCreated",
    "uSNChanged",
    "whenCreated",
    "whenChanged",
    "dSCorePropagationData",
    "instanceType",
    "objectGUID",
    "nTSecurityDescriptor",
    "isCriticalSystemObject",
    "systemFlags",
    "showInAdvancedViewOnly",
    "msDS-NcType",
];

/// What the copy found, for the report.
#[derive(Debug, Default, serde::Serialize)]
pub struct CopyReport {
    pub copied: usize,
    pub stand_in_parents: usize,
    pub descriptors: usize,
}

/// Reads the objects umctl cares about from `dir`, parents first.
pub fn copy_forest(dir: &dyn Directory) -> Result<(Vec<Entry>, CopyReport)> {
    let contexts = dir.naming_contexts()?;
    let mut found: BTreeMap<String, Entry> = BTreeMap::new();
    if let Some(domain) = dir.read(&contexts.default, &[])? {
        keep(&mut found, vec![domain]);
    }
    let groups = Filter::Or(
        RTC_GROUP_NAMES
            .iter()
            .chain(["RTCUniversalUserAdmins", "RTCUniversalServerReadOnlyGroup"].iter())
            .map(|n| Filter::eq(attrs::SAM_ACCOUNT_NAME, n))
            .collect(),
    );
    keep(
        &mut found,
        dir.search(&contexts.default, Scope::Subtree, &groups, &[])?,
    );
    let pools = Filter::eq(attrs::OBJECT_CATEGORY, attrs::OC_MSRTCSIP_POOLS);
    for container in dir.search(&Dn::root(), Scope::Subtree, &pools, &[])? {
        let dn = container.dn.clone();
        keep(&mut found, vec![container]);
        keep(
            &mut found,
            dir.search(
                &dn,
                Scope::OneLevel,
                &Filter::Present(attrs::OBJECT_CLASS.into()),
                &[],
            )?,
        );
    }
    let exchange = contexts
        .configuration
        .child("CN", "Services")
        .child("CN", "Microsoft Exchange");
    let mut descriptors = 0;
    if dir.read(&exchange, &[attrs::CN])?.is_some() {
        let everything = Filter::Present(attrs::OBJECT_CLASS.into());
        let subtree = dir.search(&exchange, Scope::Subtree, &everything, &[])?;
        let orgs: Vec<Dn> = subtree
            .iter()
            .filter(|e| e.has_object_class(attrs::OC_MSEXCH_ORGANIZATION_CONTAINER))
            .map(|e| e.dn.clone())
            .collect();
        keep(&mut found, subtree);
        // The DACLs grant-permissions and trace-call look at.
        for org in orgs {
            let targets = [
                org.clone(),
                org.child("CN", "UM DialPlan Container"),
                org.child("CN", "UM AutoAttendant Container"),
                org.child("CN", "Administrative Groups"),
            ];
            for dn in targets {
                let Some(sd) = dir.read_security(&dn)? else {
                    continue;
                };
                let domain = dir.domain_sid()?;
                if let (Some(entry), Ok(text)) =
                    (found.get_mut(dn.norm()), sd.to_sddl(domain.as_ref()))
                {
                    entry.set_str(attrs::NT_SECURITY_DESCRIPTOR, &text);
                    descriptors += 1;
                }
            }
        }
    }
    let people = Filter::And(vec![
        Filter::Or(vec![
            Filter::eq(attrs::OBJECT_CLASS, attrs::OC_USER),
            Filter::eq(attrs::OBJECT_CLASS, attrs::OC_CONTACT),
        ]),
        Filter::Or(vec![
            Filter::Present(attrs::MSRTCSIP_PRIMARY_USER_ADDRESS.into()),
            Filter::Present(attrs::MSEXCH_UM_RECIPIENT_DIAL_PLAN_LINK.into()),
            Filter::Present(attrs::MSEXCH_UC_VOICE_MAIL_SETTINGS.into()),
            Filter::parse("(proxyAddresses=eum:*)")?,
        ]),
    ]);
    keep(
        &mut found,
        dir.search(&contexts.default, Scope::Subtree, &people, &[])?,
    );
    // OUs too: new-contact on the copy needs the OU its contacts go to, even an empty one.
    let ous = Filter::eq(attrs::OBJECT_CLASS, "organizationalUnit");
    keep(
        &mut found,
        dir.search(&contexts.default, Scope::Subtree, &ous, &[])?,
    );

    // Stand-ins for parents that were not copied (OUs, system containers).
    let mut stand_ins = 0;
    let dns: Vec<Dn> = found.values().map(|e| e.dn.clone()).collect();
    for dn in dns {
        let mut parent = dn.parent();
        while let Some(p) = parent {
            if p.is_root() || found.contains_key(p.norm()) || !p.is_within(&contexts.default) {
                break;
            }
            found.insert(p.norm().to_string(), stand_in(&p));
            stand_ins += 1;
            parent = p.parent();
        }
    }
    let mut entries: Vec<Entry> = found.into_values().collect();
    entries.sort_by(|a, b| a.dn.len().cmp(&b.dn.len()).then_with(|| a.dn.cmp(&b.dn)));
    let report = CopyReport {
        copied: entries.len() - stand_ins,
        stand_in_parents: stand_ins,
        descriptors,
    };
    Ok((entries, report))
}

fn keep(found: &mut BTreeMap<String, Entry>, entries: Vec<Entry>) {
    for e in entries {
        found.insert(e.dn.norm().to_string(), scrub(e));
    }
}

fn scrub(mut entry: Entry) -> Entry {
    for attr in NEVER_COPIED {
        entry.remove(attr);
    }
    entry
}

/// A plain object standing in for a parent the copy skipped.
fn stand_in(dn: &Dn) -> Entry {
    let class = match dn.rdn_attr().map(str::to_ascii_lowercase).as_deref() {
        Some("ou") => "organizationalUnit",
        Some("dc") => "domain",
        _ => "container",
    };
    Entry::new(dn.clone())
        .with(attrs::OBJECT_CLASS, "top")
        .with(attrs::OBJECT_CLASS, class)
        .with(
            attrs::DESCRIPTION,
            "stand-in parent created by umctl lab import --from-ldap",
        )
}
