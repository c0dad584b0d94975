#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    roomgate::endpoint::dialect::fuzz_console(data);
});
