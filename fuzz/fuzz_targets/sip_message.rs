//! Fuzz target: one datagram through the UDP checks, the normaliser, the parser and the
//! validation. Whatever the bytes, umctl answers with a message or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use umctl::sip::framing::{check_datagram, Datagram, Limits};
use umctl::sip::message;

fuzz_target!(|data: &[u8]| {
    let Ok(Datagram::Message(bytes)) = check_datagram(data, &Limits::default()) else {
        return;
    };
    if let Ok(msg) = message::parse(bytes) {
        let _ = message::validate(&msg);
    }
});
