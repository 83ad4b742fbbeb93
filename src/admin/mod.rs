//! The administrator's operations, backend-agnostic: grant (ExchUCUtil) and contact (the
//! *-CsExUmContact family); cli only parses, confirms and prints. Everything here talks to a
//! [`Directory`](crate::directory::Directory) and returns typed plans and reports; nothing
//! here knows clap, terminals or stdout.

pub mod contact;
pub mod contact_bulk;
