#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| roomgate_h323::h245::fuzzing::h245_session(data));
