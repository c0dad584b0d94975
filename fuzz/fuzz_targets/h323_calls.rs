#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    roomgate::call::fuzz_h323_calls::fuzz_h323_calls(data);
});
