//! Effective access of a token on an object of a [`Directory`]: reads the security descriptors
//! of the object and its ancestors (the lab keeps inherited ACEs on the container only, a real
//! AD materializes them on every object; both give the same answer) and runs
//! [`security::effective_access`](super::security::effective_access) over that chain.
//!
//! It answers "can the Skype for Business pool read this dial plan?" for trace-call and
//! grant-permissions alike; it does not decide which objects or rights matter (the callers do)
//! and it changes nothing.

use super::model::Dn;
use super::security::{effective_access, AccessMask, Acl, SecurityDescriptor, Sid};
use super::{Directory, Result};

/// The token of a member of `group`: the group itself plus the well-known SIDs every
/// authenticated account carries (Everyone, Authenticated Users).
pub fn group_token(group: &Sid) -> Vec<Sid> {
    vec![group.clone(), Sid::everyone(), Sid::authenticated_users()]
}

/// The descriptors that decide access to `dn`: its own first, then its ancestors nearest
/// first, up to the first protected DACL or the top of the naming context. An object that
/// stores no descriptor (the lab's leaf objects) counts as an empty, unprotected DACL: it
/// inherits everything and adds nothing.
pub fn security_chain<D: Directory + ?Sized>(dir: &D, dn: &Dn) -> Result<Vec<SecurityDescriptor>> {
    let contexts = dir.naming_contexts()?;
    let mut chain = Vec::new();
    let mut current = Some(dn.clone());
    while let Some(at) = current {
        if at.is_root() {
            break;
        }
        let sd = dir
            .read_security(&at)?
            .unwrap_or_else(|| SecurityDescriptor::with_dacl(Acl::new()));
        let stop = sd.is_dacl_protected()
            || sd.dacl.is_none()
            || at == contexts.default
            || at == contexts.configuration
            || at == contexts.schema;
        chain.push(sd);
        if stop {
            break;
        }
        current = at.parent();
    }
    Ok(chain)
}

/// What `token` may do on `dn`, with inheritance from its ancestors.
pub fn effective_rights<D: Directory + ?Sized>(
    dir: &D,
    dn: &Dn,
    token: &[Sid],
) -> Result<AccessMask> {
    let chain = security_chain(dir, dn)?;
    let refs: Vec<&SecurityDescriptor> = chain.iter().collect();
    Ok(effective_access(&refs, token))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::directory::lab::LabDirectory;

    const ORG: &str =
        "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";

    fn rtc_services() -> Sid {
        "S-1-5-21-2718281828-3141592653-1414213562-1102"
            .parse()
            .unwrap()
    }

    #[test]
    fn fresh_lab_denies_the_rtc_group_and_a_grant_fixes_it() {
        let dir = tempfile::tempdir().unwrap();
        let lab = LabDirectory::init_and_open(dir.path().join("lab")).unwrap();
        let dial_plan = Dn::parse(&format!("CN=LOC801,CN=UM DialPlan Container,{ORG}")).unwrap();
        let token = group_token(&rtc_services());

        let chain = security_chain(&lab, &dial_plan).unwrap();
        assert_eq!(chain.len(), 3, "dial plan, container, protected org");
        let rights = effective_rights(&lab, &dial_plan, &token).unwrap();
        assert!(!rights.contains(AccessMask::READ_PROPERTY), "{rights}");

        let container = dial_plan.parent().unwrap();
        let mut sd = lab.read_security(&container).unwrap().unwrap();
        sd.add_ace(crate::directory::security::ace_for(
            &rtc_services(),
            AccessMask::LIST_CHILDREN | AccessMask::READ_PROPERTY,
            crate::directory::security::Inheritance::ContainerInherit,
        ));
        lab.write_dacl(&container, sd.dacl.as_ref().unwrap())
            .unwrap();
        let rights = effective_rights(&lab, &dial_plan, &token).unwrap();
        assert!(rights.contains(AccessMask::READ_PROPERTY | AccessMask::LIST_CHILDREN));
    }

    #[test]
    fn authenticated_users_read_the_org_object_only() {
        let dir = tempfile::tempdir().unwrap();
        let lab = LabDirectory::init_and_open(dir.path().join("lab")).unwrap();
        let token = group_token(&rtc_services());
        let org = Dn::parse(ORG).unwrap();
        assert!(effective_rights(&lab, &org, &token)
            .unwrap()
            .contains(AccessMask::LIST_CHILDREN));
    }
}
