#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    roomgate::call::ivr::fuzz_pin_entry(data);
});
