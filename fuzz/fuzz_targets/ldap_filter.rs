//! Fuzz target: an RFC 4515 LDAP filter (lab search, doctor and every lookup build them).
//! Whatever the text, a filter or an error, never a panic; a filter prints as text that parses
//! back to the same filter.
#![no_main]

use libfuzzer_sys::fuzz_target;
use umctl::directory::Filter;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(filter) = Filter::parse(text) {
        let printed = filter.to_string();
        assert_eq!(Filter::parse(&printed).ok(), Some(filter), "filter round trip: {printed:?}");
    }
});
