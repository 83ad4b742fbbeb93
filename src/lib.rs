//! umctl: Exchange Unified Messaging with Skype for Business, from one cross-platform binary.
//!
//! - [`admin`]: the administrator's operations (grant-permissions, new-contact and the contact
//!   family, auto attendants, PowerShell for change control), backend-agnostic.
//! - [`directory`]: the AD object model, the lab directory and LDAP (ldap3, TLS, Kerberos).
//! - [`sip`]: SIP messages on top of rsip: framing, normalisation, Exchange's headers,
//!   transactions, dialogs and the endpoint.
//! - [`media`]: G.711, WAV, RFC 4733 and in-band DTMF, SDP offer/answer, RTP, RTCP, SRTP.
//! - [`mail`]: voice mail and missed-call messages as MIME; Maildir and SMTP (spooled) delivery.
//! - [`records`]: the call data record (one per call), its store and reports.
//! - [`um`]: the Exchange side of a call (admission, resolution, routing, the dialogues: call
//!   answering, Outlook Voice Access, auto attendants), pure functions over a directory.
//! - [`frontend`]: the Skype for Business Front End's side (ExUM Routing): what was dialled,
//!   the dial plan, the INVITE.
//! - [`trace`]: trace-call and doctor: the hops of a call, offline and live, why and fix.
//! - [`serve`]: `umctl serve`: the call router, UM service and worker as SIP endpoints.
//! - [`cli`]: the command line; the only module that knows clap and terminals.
//!
//! - [`atomic_file`]: how every file is replaced (temp, fsync, rename, fsync the folder); a leaf.
//! - [`quote`]: how every message echoes an input (quoted, escaped, shortened); a leaf.
//! - [`table`]: how every table is laid out for people (width, whole words, colour); a leaf.
//!
//! Imports only go down: `cli` -> `admin`, `trace`, `serve` -> `frontend`, `um` -> `sip`,
//! `media`, `mail`, `directory`, `records`; `sip`, `media` and `mail` import nothing of ours
//! but the leaves [`quote`] and [`atomic_file`].
//! See ARCHITECTURE.md.

pub mod admin;
pub mod atomic_file;
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
