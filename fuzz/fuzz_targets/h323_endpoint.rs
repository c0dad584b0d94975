#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    roomgate_h323::endpoint::fuzzing::h323_endpoint(data);
});
