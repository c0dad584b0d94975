#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    roomgate_h323::gatekeeper::fuzzing::h323_gatekeeper(data);
});
