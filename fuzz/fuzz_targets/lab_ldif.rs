//! Fuzz target: the lab's loader on arbitrary LDIF: parse, check the contract, build the
//! forest. Bad input must be an error naming a line, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = umctl::directory::lab::forest_from_ldif(data, "fuzz");
});
