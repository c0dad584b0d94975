#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| roomgate_sip::fuzzing::stream_framer(data));
