#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = roomgate::prompts::load_wav(data);
});
