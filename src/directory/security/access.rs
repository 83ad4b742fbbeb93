//! The access questions umctl asks of a DACL: is an ExchUCUtil-style grant already present
//! ([`dacl_grants`], shared by grant and verify), which ACE to add ([`ace_for`]), and what a
//! token can do on an object whose inherited ACEs are not materialized, as in the lab directory
//! ([`effective_access`], [`can_read`]). It does not read or write descriptors in a directory.

use super::ace::{AccessMask, Ace, AceFlags, AceType, Guid};
use super::acl::Acl;
use super::descriptor::SecurityDescriptor;
use super::sid::Sid;

/// The two inheritance settings ExchUCUtil uses (Add-ADPermission `-InheritanceType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Inheritance {
    /// `None`: the ACE applies to the object itself only (no inheritance flags).
    ThisObjectOnly,
    /// `All`: the object and all descendants (SDDL `CI`).
    ContainerInherit,
}

impl Inheritance {
    pub const fn flags(self) -> AceFlags {
        match self {
            Inheritance::ThisObjectOnly => AceFlags(0),
            Inheritance::ContainerInherit => AceFlags::CONTAINER_INHERIT,
        }
    }
}

/// A plain allow: type Allowed, or AllowedObject without any GUID (the same thing).
fn is_plain_allow(ace: &Ace) -> bool {
    match ace.ace_type {
        AceType::Allowed => true,
        AceType::AllowedObject => ace.object_type.is_none() && ace.inherited_object_type.is_none(),
        _ => false,
    }
}

/// ExchUCUtil's "already configured?" test: some plain Allow ACE for `sid` grants at least
/// `rights` (generic bits mapped the AD way) with at least `inheritance`. The ACE must apply to
/// the object itself (no IO); for [`Inheritance::ContainerInherit`] it must also carry CI and not
/// NP (NP would stop at the children). Inherited (ID) ACEs count, as Get-ADPermission lists them.
pub fn dacl_grants(dacl: &Acl, sid: &Sid, rights: AccessMask, inheritance: Inheritance) -> bool {
    dacl.aces().any(|ace| {
        is_plain_allow(ace)
            && ace.sid == *sid
            && ace.mask.map_generic().contains(rights)
            && !ace.flags.contains(AceFlags::INHERIT_ONLY)
            && match inheritance {
                Inheritance::ThisObjectOnly => true,
                Inheritance::ContainerInherit => {
                    ace.flags.contains(AceFlags::CONTAINER_INHERIT)
                        && !ace.flags.contains(AceFlags::NO_PROPAGATE_INHERIT)
                }
            }
    })
}

/// The ACE ExchUCUtil adds: `(A;;LC;;;sid)` for this object only, `(A;CI;LCRP;;;sid)` for
/// container inherit (with whatever `rights` are asked).
pub fn ace_for(sid: &Sid, rights: AccessMask, inheritance: Inheritance) -> Ace {
    Ace::new(AceType::Allowed, inheritance.flags(), rights, sid.clone())
}

/// Whether `ace`, found `distance` levels above the object (0 = the object's own DACL), is
/// effective on the object. Every AD object can have children, so OI and CI both inherit.
fn applies(ace: &Ace, distance: usize, classes: &[Guid]) -> bool {
    if ace.ace_type.is_audit() {
        return false;
    }
    // Object-specific rights (a property, property set or extended right) do not grant the
    // right on the whole object; Windows skips them without an object type list.
    if ace.ace_type.is_object() && ace.object_type.is_some() {
        return false;
    }
    if distance == 0 {
        return !ace.flags.contains(AceFlags::INHERIT_ONLY);
    }
    let inheritable = ace
        .flags
        .intersects(AceFlags::CONTAINER_INHERIT | AceFlags::OBJECT_INHERIT);
    let reaches = distance == 1 || !ace.flags.contains(AceFlags::NO_PROPAGATE_INHERIT);
    let class_ok = match ace.inherited_object_type {
        Some(class) if ace.ace_type.is_object() => classes.contains(&class),
        _ => true,
    };
    inheritable && reaches && class_ok
}

/// Effective access of a token (`sids`: the user and all its groups, including well-known ones
/// such as Everyone and Authenticated Users) on an object, for a directory where inherited ACEs
/// are not materialized.
///
/// `chain[0]` is the object's own descriptor, `chain[1..]` its ancestors, nearest first. The
/// object's ACEs are evaluated first, then the inheritable ACEs of each ancestor, nearest first,
/// each DACL in stored order; the first ACE that decides a bit (allow or deny) wins. A protected
/// DACL stops inheritance from above it; an ancestor with no DACL passes nothing down. A
/// missing DACL on the object (or an empty chain) means no restriction: [`AccessMask::ALL`]. An
/// empty DACL with nothing inherited grants nothing. Generic rights are mapped the AD way.
/// ACEs limited to a child class (inherited object type) are ignored; see
/// [`effective_access_for_classes`].
pub fn effective_access(chain: &[&SecurityDescriptor], sids: &[Sid]) -> AccessMask {
    effective_access_for_classes(chain, sids, &[])
}

/// [`effective_access`] for an object whose class GUIDs (schemaIDGUID of each objectClass
/// value) are `classes`: inherited ACEs whose inherited object type is one of them apply too.
pub fn effective_access_for_classes(
    chain: &[&SecurityDescriptor],
    sids: &[Sid],
    classes: &[Guid],
) -> AccessMask {
    let Some(own) = chain.first() else {
        return AccessMask::ALL;
    };
    if own.dacl.is_none() {
        return AccessMask::ALL;
    }
    let mut granted = AccessMask(0);
    let mut denied = AccessMask(0);
    for (distance, sd) in chain.iter().enumerate() {
        let Some(dacl) = &sd.dacl else { break };
        for ace in dacl.aces() {
            if !applies(ace, distance, classes) || !sids.contains(&ace.sid) {
                continue;
            }
            let mask = ace.mask.map_generic();
            if ace.ace_type.is_allow() {
                granted |= mask & !denied;
            } else if ace.ace_type.is_deny() {
                denied |= mask & !granted;
            }
        }
        if sd.is_dacl_protected() {
            break;
        }
    }
    granted
}

/// Whether the token may read the object: effective access includes ReadProperty and
/// ListChildren.
pub fn can_read(chain: &[&SecurityDescriptor], sids: &[Sid]) -> bool {
    effective_access(chain, sids).contains(AccessMask::READ_PROPERTY | AccessMask::LIST_CHILDREN)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const DOMAIN: &str = "S-1-5-21-1-2-3";
    /// RTCUniversalServerAdmins-like group.
    const G: &str = "S-1-5-21-1-2-3-1120";

    fn dom() -> Sid {
        DOMAIN.parse().unwrap()
    }

    fn group() -> Sid {
        G.parse().unwrap()
    }

    fn sd(text: &str) -> SecurityDescriptor {
        let d = dom();
        SecurityDescriptor::from_sddl(&text.replace("$G", G), Some(&d)).unwrap()
    }

    fn dacl(text: &str) -> Acl {
        sd(&format!("D:{text}")).dacl.unwrap()
    }

    const LC: AccessMask = AccessMask::LIST_CHILDREN;
    const LCRP: AccessMask = AccessMask(0x14);

    #[test]
    fn grants_this_object_only() {
        let g = group();
        let acl = dacl("(A;;LC;;;$G)");
        assert!(dacl_grants(&acl, &g, LC, Inheritance::ThisObjectOnly));
        assert!(!dacl_grants(&acl, &g, LC, Inheritance::ContainerInherit));
        assert!(!dacl_grants(&acl, &g, LCRP, Inheritance::ThisObjectOnly));
        assert!(!dacl_grants(
            &acl,
            &Sid::everyone(),
            LC,
            Inheritance::ThisObjectOnly
        ));
    }

    #[test]
    fn grants_container_inherit() {
        let g = group();
        let acl = dacl("(A;CI;LCRP;;;$G)");
        assert!(dacl_grants(&acl, &g, LCRP, Inheritance::ContainerInherit));
        assert!(dacl_grants(&acl, &g, LC, Inheritance::ThisObjectOnly));
        // More rights and more inheritance still count.
        assert!(dacl_grants(
            &dacl("(A;OICIID;GA;;;$G)"),
            &g,
            LCRP,
            Inheritance::ContainerInherit
        ));
        assert!(dacl_grants(
            &dacl("(A;CI;RPLCLORC;;;$G)"),
            &g,
            LCRP,
            Inheritance::ContainerInherit
        ));
        assert!(dacl_grants(
            &dacl("(OA;CI;LCRP;;;$G)"),
            &g,
            LCRP,
            Inheritance::ContainerInherit
        ));
        // Inherit-only does not apply to the object; NP does not reach all descendants.
        assert!(!dacl_grants(
            &dacl("(A;CIIO;LCRP;;;$G)"),
            &g,
            LC,
            Inheritance::ThisObjectOnly
        ));
        assert!(!dacl_grants(
            &dacl("(A;CIIO;LCRP;;;$G)"),
            &g,
            LCRP,
            Inheritance::ContainerInherit
        ));
        assert!(!dacl_grants(
            &dacl("(A;CINP;LCRP;;;$G)"),
            &g,
            LCRP,
            Inheritance::ContainerInherit
        ));
        // Denies, property-specific allows and split rights do not count.
        assert!(!dacl_grants(
            &dacl("(D;CI;LCRP;;;$G)"),
            &g,
            LCRP,
            Inheritance::ContainerInherit
        ));
        assert!(!dacl_grants(
            &dacl("(OA;CI;LCRP;bf967aba-0de6-11d0-a285-00aa003049e2;;$G)"),
            &g,
            LCRP,
            Inheritance::ContainerInherit
        ));
        assert!(!dacl_grants(
            &dacl("(A;CI;LC;;;$G)(A;CI;RP;;;$G)"),
            &g,
            LCRP,
            Inheritance::ContainerInherit
        ));
    }

    #[test]
    fn ace_for_matches_exchucutil() {
        let d = dom();
        let g = group();
        let a = ace_for(&g, LC, Inheritance::ThisObjectOnly);
        assert_eq!(a.to_sddl(Some(&d)).unwrap(), format!("(A;;LC;;;{G})"));
        let b = ace_for(&g, LCRP, Inheritance::ContainerInherit);
        assert_eq!(b.to_sddl(Some(&d)).unwrap(), format!("(A;CI;LCRP;;;{G})"));
        // What is added is what the check then finds.
        let mut sd = SecurityDescriptor::with_dacl(Acl::new());
        assert!(sd.add_ace(b));
        assert!(dacl_grants(
            sd.dacl.as_ref().unwrap(),
            &g,
            LCRP,
            Inheritance::ContainerInherit
        ));
    }

    /// org (LC this object only) -> UM DialPlan Container (LCRP CI) -> dial plan (no ACE).
    fn chain_sds(container_ace: &str, dial_plan: &str) -> [SecurityDescriptor; 3] {
        [
            sd(dial_plan),
            sd(&format!(
                "O:DAG:DAD:AI(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;DA){container_ace}"
            )),
            sd("O:DAG:DAD:AI(A;;LC;;;$G)(A;CI;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;EA)"),
        ]
    }

    fn refs(sds: &[SecurityDescriptor]) -> Vec<&SecurityDescriptor> {
        sds.iter().collect()
    }

    #[test]
    fn group_reads_dial_plan_through_container() {
        let sds = chain_sds("(A;CI;LCRP;;;$G)", "D:AI");
        let token = [group(), Sid::everyone(), Sid::authenticated_users()];
        assert!(can_read(&refs(&sds), &token));
        assert_eq!(effective_access(&refs(&sds), &token), LCRP);
        // The container itself (chain starting there) is readable too; the org only listable.
        assert!(can_read(&refs(&sds[1..]), &token));
        assert_eq!(effective_access(&refs(&sds[2..]), &token), LC);
        // Enterprise Admins get full control everywhere below the org.
        let ea = [dom().with_rid(519).unwrap()];
        assert_eq!(
            effective_access(&refs(&sds), &ea),
            AccessMask::DS_GENERIC_ALL
        );
    }

    #[test]
    fn without_container_ace_no_read() {
        let sds = chain_sds("", "D:AI");
        assert!(!can_read(&refs(&sds), &[group()]));
        // The org's LC is this-object-only: nothing reaches the dial plan.
        assert_eq!(effective_access(&refs(&sds), &[group()]), AccessMask(0));
    }

    #[test]
    fn deny_on_dial_plan_blocks() {
        let sds = chain_sds("(A;CI;LCRP;;;$G)", "D:AI(D;;RP;;;$G)");
        assert!(!can_read(&refs(&sds), &[group()]));
        assert_eq!(effective_access(&refs(&sds), &[group()]), LC);
        // An explicit allow on the object beats an inherited deny from above.
        let sds = chain_sds("(D;CI;RP;;;$G)", "D:AI(A;;RP;;;$G)");
        assert!(!can_read(&refs(&sds), &[group()]));
        assert_eq!(
            effective_access(&refs(&sds), &[group()]),
            AccessMask::READ_PROPERTY
        );
        // First ACE deciding a bit wins even out of canonical order.
        let sds = chain_sds("", "D:(A;;LCRP;;;$G)(D;;LCRP;;;$G)");
        assert!(can_read(&refs(&sds), &[group()]));
        // A deny for a group the token holds blocks an allow for another.
        let sds = chain_sds("(A;CI;LCRP;;;AU)", "D:(D;;RP;;;$G)");
        assert!(!can_read(
            &refs(&sds),
            &[group(), Sid::authenticated_users()]
        ));
    }

    #[test]
    fn no_propagate_and_inherit_only() {
        let child_of_dial_plan = sd("D:");
        let [dp, container, org] = chain_sds("(A;CINP;LCRP;;;$G)", "D:");
        assert!(can_read(&[&dp, &container, &org], &[group()]));
        assert!(!can_read(
            &[&child_of_dial_plan, &dp, &container, &org],
            &[group()]
        ));
        // Without NP it reaches the grandchild too.
        let [dp, container, org] = chain_sds("(A;CI;LCRP;;;$G)", "D:");
        assert!(can_read(
            &[&child_of_dial_plan, &dp, &container, &org],
            &[group()]
        ));
        // IO: not on the container itself, but on what is below it.
        let [dp, container, org] = chain_sds("(A;CIIO;LCRP;;;$G)", "D:");
        assert!(!can_read(&[&container, &org], &[group()]));
        assert!(can_read(&[&dp, &container, &org], &[group()]));
        // OI inherits as well.
        let [dp, container, org] = chain_sds("(A;OI;LCRP;;;$G)", "D:");
        assert!(can_read(&[&dp, &container, &org], &[group()]));
    }

    #[test]
    fn protection_null_and_empty() {
        let sds = chain_sds("(A;CI;LCRP;;;$G)", "D:P");
        assert!(!can_read(&refs(&sds), &[group()]));
        // A protected DACL keeps its own ACEs.
        let sds = chain_sds("(A;CI;LCRP;;;$G)", "D:P(A;;LCRP;;;$G)");
        assert!(can_read(&refs(&sds), &[group()]));
        // Protected container: the org's ACEs stop there, the container's still flow down.
        let [dp, _, org] = chain_sds("", "D:");
        let container = sd("D:P(A;CI;RP;;;$G)");
        let org_ci = sd("D:(A;CI;LC;;;$G)");
        assert_eq!(
            effective_access(&[&dp, &container, &org_ci], &[group()]),
            AccessMask::READ_PROPERTY
        );
        assert_eq!(effective_access(&[&dp, &org_ci], &[group()]), LC);
        let _ = org;
        // Missing DACL on the object: no restriction. Empty DACL and nothing inherited: nothing.
        let none = SecurityDescriptor::new();
        assert_eq!(effective_access(&[&none], &[group()]), AccessMask::ALL);
        assert!(can_read(&[&none, &org_ci], &[group()]));
        assert_eq!(
            effective_access(&[&sd("D:NO_ACCESS_CONTROL")], &[]),
            AccessMask::ALL
        );
        assert_eq!(effective_access(&[&sd("D:")], &[group()]), AccessMask(0));
        assert_eq!(effective_access(&[], &[group()]), AccessMask::ALL);
        // An ancestor with no DACL passes nothing down, not even from further up.
        assert_eq!(
            effective_access(&[&dp, &none, &org_ci], &[group()]),
            AccessMask(0)
        );
    }

    #[test]
    fn generic_object_and_class_limited_aces() {
        let dial_plan_class: Guid = "3cfc76ab-3ab3-4bb6-a3d0-4c0ac4ac2c21".parse().unwrap();
        let [dp, _, org] = chain_sds("", "D:");
        let generic = sd("D:(A;CI;GR;;;AU)");
        assert!(can_read(
            &[&dp, &generic, &org],
            &[Sid::authenticated_users()]
        ));
        let property = sd("D:(OA;CI;RP;bf967a0e-0de6-11d0-a285-00aa003049e2;;$G)(A;CI;LC;;;$G)");
        assert_eq!(effective_access(&[&dp, &property], &[group()]), LC);
        let limited = sd(&format!("D:(OA;CIIO;LCRP;;{dial_plan_class};$G)"));
        assert!(!can_read(&[&dp, &limited], &[group()]));
        assert_eq!(
            effective_access_for_classes(&[&dp, &limited], &[group()], &[dial_plan_class]),
            LCRP
        );
    }
}
