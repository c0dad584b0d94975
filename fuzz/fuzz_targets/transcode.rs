#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| roomgate_media::codec::fuzz_transcode(data));
