#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| roomgate_sip::dialog::fuzz::fuzz_dialog(data));
