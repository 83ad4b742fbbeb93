//! Fuzz target: a TCP/TLS byte stream through the Content-Length framer, fed in arbitrary
//! chunks. The framer must never panic, never return more bytes than it was given, and keep
//! within its limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use umctl::sip::framing::{Frame, Framer, Limits};

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let limits = Limits::default();
    let mut framer = Framer::new(limits);
    let mut total = 0usize;
    for chunk in rest.chunks(usize::from(split).max(1)) {
        framer.push(chunk);
        while let Ok(Some(frame)) = framer.next_frame() {
            if let Frame::Message(m) = frame {
                total += m.len();
                let _ = umctl::sip::message::parse(&m);
            }
        }
    }
    assert!(total <= rest.len());
});
