#![allow(clippy::unwrap_used)]
//! umctl's integration tests: one binary that drives the real `umctl` executable the way a
//! user does. `support` holds the harness (a throwaway lab folder, a command runner).

mod aa_hours;
mod architecture;
mod assets;
mod baresip;
mod call_records;
mod certificates;
mod delivery;
mod directory_battery;
mod dispatcher;
mod doctor;
mod grant_permissions;
mod grant_permissions_samba;
mod greetings;
#[cfg(feature = "gssapi")]
mod kerberos;
mod lab;
mod lab_index;
mod lab_safety;
mod lab_trust;
mod ldap_offline;
mod ldif_files;
mod log_capture;
mod mail_servers;
mod mail_smtp;
mod mailbox;
mod mailbox_policy;
mod messages;
mod new_contact;
mod new_contact_samba;
mod ova;
mod ova_calls;
mod powershell;
mod preview;
mod rtp_pacing;
mod samba;
mod samba_dc;
mod samba_paging;
mod serve;
mod serve_log;
mod sip_endpoint;
mod support;
mod trace_call;
mod trace_call_samba;
mod trace_live;
mod tts;
mod voicemail;
