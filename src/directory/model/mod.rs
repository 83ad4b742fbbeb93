//! The AD object model: pure types that parse from and render to [`Entry`] values, plus the
//! attribute-name constants ([`attrs`]) and the write contract the lab enforces ([`schema`]).
//! AD attribute names appear only here and in fixtures. Nothing in this module does I/O or
//! knows how a directory is reached; that is `directory::ldap` and `directory::lab`.
//!
//! [`Entry`]: crate::directory::entry::Entry

pub mod aa_schedule;
pub mod attrs;
pub mod auto_attendant;
pub mod contact;
pub mod dial_plan;
pub mod dn;
pub mod eum_address;
pub mod exchange_server;
pub mod hunt_group;
pub mod ip_gateway;
pub mod line_uri;
pub mod organization;
pub mod pool;
mod read;
pub mod rtc_group;
pub mod schema;
pub mod um_policy;
pub mod um_user;

pub use auto_attendant::{AutoAttendant, KeyMapping, PeriodFeatures};
pub use contact::{ContactKind, ContactSpec, ExUmContact, OtherIpPhone};
pub use dial_plan::{AudioCodec, DialPlan, UriType, VoipSecurity};
pub use dn::{Ava, Dn, DnError, Rdn};
pub use eum_address::EumAddress;
pub use exchange_server::{ExchangeServer, ServerRoles, UmStartupMode};
pub use hunt_group::HuntGroup;
pub use ip_gateway::{GatewayStatus, IpGateway};
pub use line_uri::LineUri;
pub use organization::ExchangeOrg;
pub use pool::{Pool, PoolVersion};
pub use rtc_group::RtcGroup;
pub use schema::{check_entry, ContractViolation};
pub use um_policy::UmMailboxPolicy;
pub use um_user::{UmUser, VoiceMailSettings};

/// An entry could not be read as the typed object asked for. Every variant names the entry's
/// DN and the attribute; value errors also carry the value and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("{dn}: {attr} is required on {class} (missing)")]
    Missing {
        dn: Dn,
        class: &'static str,
        attr: &'static str,
    },
    #[error("{dn}: {attr} has value {q}, expected {expected}", q = crate::quote::Quoted(.value))]
    BadValue {
        dn: Dn,
        attr: &'static str,
        value: String,
        expected: String,
    },
    #[error("{dn}: expected an object of class {class}, objectClass is '{found}'")]
    WrongClass {
        dn: Dn,
        class: &'static str,
        found: String,
    },
}

/// A single value (an EUM address, a line URI, a SID, ...) did not parse. Carries the value
/// and what was expected; [`ValueError::at`] adds the DN and attribute it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{q}: expected {expected}", q = crate::quote::Quoted(.value))]
pub struct ValueError {
    pub value: String,
    pub expected: String,
}

impl ValueError {
    pub fn new(value: impl Into<String>, expected: impl Into<String>) -> ValueError {
        ValueError {
            value: value.into(),
            expected: expected.into(),
        }
    }

    /// The same error, placed at `attr` of the entry `dn`.
    pub fn at(self, dn: &Dn, attr: &'static str) -> ModelError {
        ModelError::BadValue {
            dn: dn.clone(),
            attr,
            value: self.value,
            expected: self.expected,
        }
    }
}
