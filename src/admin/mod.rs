//! The administrator's operations, independent of the backend: each one discovers what the
//! directory holds, works out the desired state, turns the difference into a plan, and applies
//! it through [`crate::directory::Directory`] (all or nothing), so the same code runs on the lab
//! directory, Samba and a real AD.
//!
//! - [`grant`]: `grant-permissions`, ExchUCUtil.ps1's read rights, gateways and hunt groups,
//!   plus the verification tables (also used by trace-call to explain a missing grant).
//! - [`contact`], [`contact_bulk`]: `new-contact` and the *-CsExUmContact family (list, show,
//!   set, remove), one contact or a CSV file of them.
//! - [`powershell`]: those plans (and doctor's fixes) as the PowerShell the Windows side runs.
//! - [`aa`]: `aa set` / `aa greeting set`, an auto attendant's hours, holidays, after-hours
//!   menu and greetings in umctl's lab form.
//!
//! It imports only `directory`; it knows nothing of terminals, clap or output formats beyond
//! the plans' own LDIF rendering (the command line prints and confirms, in `cli`).

pub mod aa;
pub mod contact;
pub mod contact_bulk;
pub mod grant;
pub mod powershell;
