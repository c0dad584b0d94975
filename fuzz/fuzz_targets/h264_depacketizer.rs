#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| roomgate_media::h264::fuzz_h264_depacketizer(data));
