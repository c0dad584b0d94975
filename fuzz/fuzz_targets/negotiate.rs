#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| roomgate::call::negotiate::fuzz_negotiate(data));
