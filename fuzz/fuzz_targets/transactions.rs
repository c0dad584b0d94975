#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| roomgate_sip::transaction::fuzz::fuzz_transactions(data));
