//! umctl: Exchange Unified Messaging with Skype for Business, from one cross-platform binary.
//!
//! - [`directory`]: the AD object model, the lab directory and (later) LDAP.
//! - [`sip`]: SIP messages on top of rsip: framing, normalisation, Exchange's headers.
//! - [`media`]: G.711, WAV, RFC 4733 and in-band DTMF, SDP offer/answer, RTP (sans-IO).
//! - [`cli`]: the command line; the only module that knows clap and terminals.
//!
//! Imports only go down: `cli` -> `directory`; `sip` and `media` import nothing of ours.
//! See ARCHITECTURE.md.

pub mod cli;
pub mod directory;
pub mod frontend;
pub mod media;
pub mod sip;
pub mod trace;
pub mod um;
