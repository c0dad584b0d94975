#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    roomgate_h323::call::fuzzing::h323_call(data);
});
