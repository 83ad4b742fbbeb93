//! Fuzz target: an SDP body as an offer arrives in an INVITE. Whatever the text, the parser
//! answers with a description or an error, never a panic, and what it prints it reads back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use umctl::media::sdp::SessionDescription;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(sdp) = SessionDescription::parse(text) {
        let printed = sdp.to_string();
        assert!(
            SessionDescription::parse(&printed).is_ok(),
            "the printed SDP does not parse: {printed:?}"
        );
    }
});
