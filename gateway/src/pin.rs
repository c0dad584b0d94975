//! Meeting PINs: kept only as argon2id hashes (PHC strings), checked in constant time.
//!
//! A meeting PIN is short (a few digits typed on a keypad), so a leaked store would give every
//! PIN away to a brute force on a fast hash; argon2id makes each guess cost memory and time.
//! The PIN itself is never stored, logged, printed or put in an error.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Longest PIN accepted: longer than any keypad user will type, short enough that the DTMF
/// collector has a bound.
pub const MAX_PIN_LEN: usize = 16;

/// Argon2 memory cost in KiB (19 MiB). With [`ARGON2_T_COST`] and [`ARGON2_P_COST`] this is
/// OWASP's minimum argon2id configuration (Password Storage Cheat Sheet): expensive enough
/// that a stolen store cannot be brute-forced cheaply even though PINs are short, cheap enough
/// (tens of milliseconds) for one check per call attempt on the gateway.
pub const ARGON2_M_COST_KIB: u32 = 19 * 1024;
/// Argon2 passes over memory; see [`ARGON2_M_COST_KIB`].
pub const ARGON2_T_COST: u32 = 2;
/// Argon2 lanes; one, because the gateway checks PINs of many calls side by side and gains
/// nothing from spreading one check over threads.
pub const ARGON2_P_COST: u32 = 1;

/// Why a PIN could not be hashed. Neither variant carries the PIN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PinError {
    #[error("invalid PIN: 1 to {MAX_PIN_LEN} digits 0-9")]
    Invalid,
    #[error("cannot hash the PIN: {0}")]
    Hash(String),
}

/// The hasher with the parameters above. Built each time: construction is cheap, and the
/// parameters are constants that are known to be valid.
fn hasher() -> Result<Argon2<'static>, PinError> {
    let params = Params::new(ARGON2_M_COST_KIB, ARGON2_T_COST, ARGON2_P_COST, None)
        .map_err(|e| PinError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Checks the PIN's form: 1 to [`MAX_PIN_LEN`] ASCII digits, which is all a keypad can send
/// (besides `*` and `#`, which the IVR uses itself).
pub fn validate_pin(pin: &str) -> Result<(), PinError> {
    if (1..=MAX_PIN_LEN).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PinError::Invalid)
    }
}

/// Hashes a PIN with argon2id and a fresh random salt from the OS; returns the PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), which carries its own parameters, so a later
/// change of the constants still verifies old hashes.
pub fn hash_pin(pin: &str) -> Result<String, PinError> {
    validate_pin(pin)?;
    let salt = SaltString::generate(&mut OsRng);
    let hash = hasher()?
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|e| PinError::Hash(e.to_string()))?;
    Ok(hash.to_string())
}

/// Whether `pin` matches the PHC string `phc`. The comparison is argon2's own, constant
/// time; a string that does not parse (a hand-edited store) simply does not match. The
/// parameters come from the PHC string, not from the constants.
pub fn verify_pin(phc: &str, pin: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let Ok(argon2) = hasher() else {
        return false;
    };
    argon2.verify_password(pin.as_bytes(), &parsed).is_ok()
}

/// A hash made once per process with the current parameters, of a PIN no caller can type
/// (it is not digits), for [`dummy_verify`]. `None` only if hashing itself fails.
fn dummy_hash() -> Option<&'static str> {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let salt = SaltString::generate(&mut OsRng);
            hasher()
                .ok()?
                .hash_password(b"not-a-pin", &salt)
                .ok()
                .map(|h| h.to_string())
        })
        .as_deref()
}

/// Spends the time of one real [`verify_pin`] and always fails. Used for an unknown meeting,
/// a meeting without a usable hash, or a locked-out caller, so that the answer time does not
/// tell a caller which meetings exist or have a PIN.
pub fn dummy_verify(pin: &str) {
    if let Some(phc) = dummy_hash() {
        let _ = verify_pin(phc, pin);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let phc = hash_pin("1234").unwrap();
        assert!(verify_pin(&phc, "1234"));
    }

    #[test]
    fn wrong_pin_fails() {
        let phc = hash_pin("1234").unwrap();
        for wrong in ["1235", "123", "12345", "", "4321", "1234 "] {
            assert!(!verify_pin(&phc, wrong), "{wrong:?} verified");
        }
    }

    #[test]
    fn garbage_hash_never_verifies() {
        for phc in [
            "",
            "1234",
            "$argon2id$",
            "$argon2id$v=19$m=19456,t=2,p=1$xx$yy",
        ] {
            assert!(!verify_pin(phc, "1234"));
        }
    }

    #[test]
    fn invalid_pins_are_refused() {
        let too_long = "1".repeat(MAX_PIN_LEN + 1);
        for bad in ["", "12a4", "12 34", "١٢٣٤", "12#", "*1", too_long.as_str()] {
            assert_eq!(hash_pin(bad), Err(PinError::Invalid), "{bad:?}");
        }
        assert!(hash_pin(&"9".repeat(MAX_PIN_LEN)).is_ok());
        assert!(hash_pin("0").is_ok());
    }

    #[test]
    fn salts_make_hashes_differ() {
        let a = hash_pin("1234").unwrap();
        let b = hash_pin("1234").unwrap();
        assert_ne!(a, b);
        assert!(verify_pin(&a, "1234") && verify_pin(&b, "1234"));
    }

    #[test]
    fn phc_string_is_argon2id_with_our_parameters_and_hides_the_pin() {
        let pin = "98765";
        let phc = hash_pin(pin).unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(phc.contains(&format!(
            "m={ARGON2_M_COST_KIB},t={ARGON2_T_COST},p={ARGON2_P_COST}"
        )));
        assert!(!phc.contains(pin));
    }

    /// A verification's cost is set by the hash's argon2 parameters (memory, passes, lanes),
    /// which the PHC string carries: the dummy hash must carry the same as a real PIN's. (A
    /// wall-clock comparison says the same but fails on a loaded CI machine.)
    #[test]
    fn dummy_verify_costs_what_a_real_verify_costs() {
        let params = |phc: &str| -> String {
            phc.split('$')
                .find(|part| part.starts_with("m="))
                .unwrap_or_default()
                .to_owned()
        };
        let real = hash_pin("1234").unwrap();
        let dummy = dummy_hash().unwrap();
        assert!(dummy.starts_with("$argon2id$v=19$"), "{dummy}");
        assert_eq!(params(dummy), params(&real));
        assert_eq!(
            params(&real),
            format!("m={ARGON2_M_COST_KIB},t={ARGON2_T_COST},p={ARGON2_P_COST}")
        );
        // And it runs a real verification, which fails.
        dummy_verify("1234");
        assert!(!verify_pin(dummy, "1234"));
    }
}
