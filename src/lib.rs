//! umctl: Exchange Unified Messaging with Skype for Business, from one cross-platform binary.
//!
//! - [`directory`]: the AD object model, the lab directory and (later) LDAP.
//! - [`cli`]: the command line; the only module that knows clap and terminals.
//!
//! Imports only go down: `cli` -> `directory`. See ARCHITECTURE.md.

pub mod cli;
pub mod directory;
