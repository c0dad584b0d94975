#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| roomgate_sip::digest::fuzz_digest(data));
