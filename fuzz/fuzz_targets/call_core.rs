#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    roomgate_core::fuzzing::fuzz_call_core(data);
});
