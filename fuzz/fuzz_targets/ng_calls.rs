#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    roomgate::ng::fuzzing::ng_calls(data);
});
