//! openh264-sys2 silently builds without its x86 assembly when `nasm` is missing, which makes
//! H.264 encoding about three times slower. Fail the build instead, unless
//! `ROOMGATE_ALLOW_NO_NASM=1` says a slow build is acceptable.

fn main() {
    println!("cargo:rerun-if-env-changed=ROOMGATE_ALLOW_NO_NASM");
    println!("cargo:rerun-if-env-changed=OPENH264_NO_ASM");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if arch != "x86_64" && arch != "x86" {
        return;
    }
    let nasm = std::process::Command::new("nasm").arg("-v").output();
    let ok = nasm.map(|o| o.status.success()).unwrap_or(false);
    if ok && std::env::var_os("OPENH264_NO_ASM").is_none() {
        return;
    }
    if std::env::var("ROOMGATE_ALLOW_NO_NASM").as_deref() == Ok("1") {
        println!(
            "cargo:warning=nasm missing: openh264 is built without assembly (about 3x slower)"
        );
    } else {
        eprintln!(
            "error: `nasm` not found (or OPENH264_NO_ASM set): openh264 would be built without \
             its assembly and run ~3x slower. Install it (apt-get install nasm) or set \
             ROOMGATE_ALLOW_NO_NASM=1."
        );
        std::process::exit(1);
    }
}
