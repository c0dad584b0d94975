//! Fuzz entry for dialogs (filled in below).

/// Runs one fuzz input.
pub fn fuzz_dialog(data: &[u8]) {
    let _ = data;
}
