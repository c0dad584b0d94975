#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    roomgate::call::fuzz_calls::fuzz_calls(data);
});
