#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| roomgate_bfcp::fuzzing::bfcp_reassembly(data));
