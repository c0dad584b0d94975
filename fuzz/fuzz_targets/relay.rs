#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| roomgate_media::relay::fuzz_relay(data));
