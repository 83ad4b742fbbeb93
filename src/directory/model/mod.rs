//! TEMPORARY compile shim until the model helper lands.
pub mod dn;
pub use dn::{Ava, Dn, DnError, Rdn};
pub mod schema {
    use crate::directory::entry::Entry;
    #[derive(Debug, thiserror::Error)]
    #[error("{dn}: {attr}: expected {expected}")]
    pub struct ContractViolation {
        pub dn: String,
        pub attr: String,
        pub expected: String,
    }
    impl ContractViolation {
        pub fn new(dn: &str, attr: &str, expected: &str) -> Self {
            Self {
                dn: dn.into(),
                attr: attr.into(),
                expected: expected.into(),
            }
        }
    }
    pub fn check_entry(_e: &Entry) -> Result<(), ContractViolation> {
        Ok(())
    }
}
pub use schema::ContractViolation;
