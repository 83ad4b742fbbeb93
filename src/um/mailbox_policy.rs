//! A user's UM mailbox policy (domain.md B.3.6): the user found by sAMAccountName, the policy
//! their `msExchUMTemplateLink` names read from the directory, and the [`PolicySource`] a
//! [`LabPinStore`](super::LabPinStore) asks on every PIN set and check, so `lab pin set`, serve
//! and trace hold each user to their own policy. A user without a link, or whose policy cannot
//! be read, gets the defaults.

use std::sync::Arc;

use super::pin::{PinPolicy, PolicySource};
use crate::directory::lookup::{self, LookupError};
use crate::directory::model::{attrs, Dn, UmMailboxPolicy};
use crate::directory::Directory;

/// The policy of the user `sam` (`None`: no such user, or no policy link).
pub fn user_policy<D: Directory + ?Sized>(
    dir: &D,
    sam: &str,
) -> Result<Option<UmMailboxPolicy>, LookupError> {
    let entries = lookup::by_attribute(dir, attrs::SAM_ACCOUNT_NAME, sam)?;
    let link = entries
        .iter()
        .find_map(|e| e.first(attrs::MSEXCH_UM_TEMPLATE_LINK));
    linked_policy(dir, link)
}

/// The policy a user's `msExchUMTemplateLink` names (`None`: no link, a value that is not a
/// DN, or no such object).
pub fn linked_policy<D: Directory + ?Sized>(
    dir: &D,
    link: Option<&str>,
) -> Result<Option<UmMailboxPolicy>, LookupError> {
    let Some(Ok(dn)) = link.map(Dn::parse) else {
        return Ok(None);
    };
    match dir.read(&dn, &[])? {
        Some(e) => Ok(Some(UmMailboxPolicy::from_entry(&e)?)),
        None => Ok(None),
    }
}

/// Each user's PIN rules from the directory.
pub fn source(dir: Arc<dyn Directory>) -> PolicySource {
    Arc::new(move |sam: &str| {
        user_policy(dir.as_ref(), sam)
            .ok()
            .flatten()
            .map(|p| PinPolicy::from(&p))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::directory::lab::LabDirectory;
    use crate::um::pin::{LabPinStore, PinCheck, PinStore};

    #[test]
    fn each_user_is_held_to_their_own_policy() {
        let dir = tempfile::tempdir().unwrap();
        let lab: Arc<dyn Directory> =
            Arc::new(LabDirectory::init_and_open(dir.path().join("lab")).unwrap());
        let hq = user_policy(lab.as_ref(), "alice").unwrap().unwrap();
        assert_eq!(hq.name, "HQ-SIP Default Policy");
        assert_eq!(
            (hq.min_pin_length, hq.pin_history, hq.max_logon_attempts),
            (8, 3, 5)
        );
        assert_eq!(hq.max_greeting_minutes, 2);
        let loc = user_policy(lab.as_ref(), "bob").unwrap().unwrap();
        assert_eq!((loc.min_pin_length, loc.max_logon_attempts), (6, 15));
        assert_eq!(user_policy(lab.as_ref(), "nobody").unwrap(), None);

        let pins = LabPinStore::new(dir.path().join("mailboxes"), PinPolicy::default())
            .with_iterations(std::num::NonZeroU32::new(10).unwrap())
            .with_policies(source(lab));
        let err = pins.set("alice", "246813", None).unwrap_err().to_string();
        assert!(err.contains("MinPINLength 8"), "{err}");
        pins.set("alice", "24681357", None).unwrap();
        pins.set("bob", "246813", None).unwrap();
        for _ in 0..4 {
            assert!(matches!(
                pins.check("alice", "00000000").unwrap(),
                PinCheck::Wrong { .. }
            ));
            assert!(matches!(
                pins.check("bob", "000000").unwrap(),
                PinCheck::Wrong { .. }
            ));
        }
        assert_eq!(
            pins.check("alice", "00000000").unwrap(),
            PinCheck::LockedOut,
            "5 for HQ-SIP"
        );
        assert!(matches!(
            pins.check("bob", "000000").unwrap(),
            PinCheck::Wrong { failures: 5 }
        ));
        assert_eq!(pins.status("alice").unwrap().max_logon_attempts, 5);
    }
}
