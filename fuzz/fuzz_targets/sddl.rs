//! Fuzz target: a security descriptor in SDDL (what grant-permissions reads and prints).
//! Whatever the text, a descriptor or an error, never a panic; a descriptor that prints as
//! SDDL reads back as the same descriptor.
#![no_main]

use libfuzzer_sys::fuzz_target;
use umctl::directory::security::{SecurityDescriptor, Sid};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let domain = "S-1-5-21-2718281828-3141592653-1414213562".parse::<Sid>().ok();
    let Ok(sd) = SecurityDescriptor::from_sddl(text, domain.as_ref()) else {
        return;
    };
    if let Ok(printed) = sd.to_sddl(domain.as_ref()) {
        let again = SecurityDescriptor::from_sddl(&printed, domain.as_ref());
        assert_eq!(again.as_ref().ok(), Some(&sd), "SDDL round trip: {printed:?}");
    }
});
