//! Fuzz target: an RFC 4514 distinguished name (every --ou, lab show and LDIF record has one).
//! Whatever the text, a DN or an error, never a panic; a DN prints as text that parses back to
//! the same DN.
#![no_main]

use libfuzzer_sys::fuzz_target;
use umctl::directory::Dn;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(dn) = Dn::parse(text) {
        let printed = dn.to_string();
        assert_eq!(Dn::parse(&printed).ok(), Some(dn), "DN round trip: {printed:?}");
    }
});
