//! umctl: Exchange Unified Messaging with Skype for Business, from one cross-platform binary.
//!
//! - [`admin`]: the administrator's operations (new-contact and the contact family), backend-agnostic.
//! - [`directory`]: the AD object model, the lab directory and (later) LDAP.
//! - [`sip`]: SIP messages on top of rsip: framing, normalisation, Exchange's headers.
//! - [`media`]: G.711, WAV, RFC 4733 and in-band DTMF, SDP offer/answer, RTP (sans-IO).
//! - [`mail`]: voice mail and missed-call messages as MIME; Maildir and SMTP (spooled) delivery.
//! - [`admin`]: the administrator's operations (grant-permissions), backend-agnostic.
//! - [`records`]: the call data record (one per call), its store and reports.
//! - [`serve`]: `umctl serve`: the call router, UM service and worker as SIP endpoints.
//! - [`cli`]: the command line; the only module that knows clap and terminals.
//!
//! - [`quote`]: how every message echoes an input (quoted, escaped, shortened); a leaf.
//! - [`table`]: how every table is laid out for people (width, whole words, colour); a leaf.
//!
//! Imports only go down: `cli` -> `admin` -> `directory`; `sip`, `media` and `mail` import nothing
//! of ours but the leaf [`quote`].
//! See ARCHITECTURE.md.

pub mod admin;
pub mod cli;
pub mod directory;
pub mod frontend;
pub mod mail;
pub mod media;
pub mod quote;
pub mod records;
pub mod serve;
pub mod sip;
pub mod table;
pub mod trace;
pub mod um;
