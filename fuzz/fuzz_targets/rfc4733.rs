//! Fuzz target: an RFC 4733 telephone-event payload as it arrives in RTP. Any bytes give an
//! event or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use umctl::media::dtmf::TelephoneEvent;

fuzz_target!(|data: &[u8]| {
    let _ = TelephoneEvent::parse(data);
});
