#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| roomgate_media::rtp::fuzz_rtp_rtcp(data));
