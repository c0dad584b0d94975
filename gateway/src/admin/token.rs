//! The admin bearer token: where it comes from and how a presented one is compared.
//!
//! By default the token lives in `<data dir>/admin.token`, created at first start with 32
//! random bytes (64 hex digits), mode 0600, so the operator reads it with `cat` and nothing
//! secret ever has to be written into the config file or the logs.

use std::io::Write;
use std::path::{Path, PathBuf};

use rand::RngCore;
use subtle::ConstantTimeEq;

/// The token file's name inside the data directory.
pub const TOKEN_FILE_NAME: &str = "admin.token";

/// Shortest token accepted: 128 bits of hex. Anything shorter is guessable by a patient
/// script on a shared host.
pub const MIN_TOKEN_LEN: usize = 32;

/// Longest token accepted (it travels in a header).
pub const MAX_TOKEN_LEN: usize = 256;

/// Random bytes in a generated token.
const GENERATED_BYTES: usize = 32;

/// Why the token could not be loaded or created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    #[error("cannot read admin token file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create admin token file {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("admin token in {path}: {reason}")]
    Invalid { path: PathBuf, reason: &'static str },
}

/// Whether `token` is acceptable: long enough, and only visible ASCII so it survives a header.
pub fn check_token(token: &str) -> Result<(), &'static str> {
    if token.len() < MIN_TOKEN_LEN {
        return Err("must be at least 32 characters");
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err("must be at most 256 characters");
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("must be visible ASCII without spaces");
    }
    Ok(())
}

/// The bearer token. Never printed: `Debug` shows only that there is one.
#[derive(Clone)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl Token {
    /// A token from the config (already checked by `Config::check`).
    pub fn new(token: &str) -> Token {
        Token(token.to_owned())
    }

    /// Compares in constant time, so response timing does not reveal how many leading bytes
    /// of a guess were right. (A length mismatch returns early; the length is no secret.)
    pub fn matches(&self, presented: &[u8]) -> bool {
        bool::from(self.0.as_bytes().ct_eq(presented))
    }
}

/// Reads the token from `path`, creating the file (0600, 32 random bytes as hex) when it does
/// not exist. Returns the token and whether it was created now.
pub fn load_or_create(path: &Path) -> Result<(Token, bool), TokenError> {
    match read(path) {
        Ok(t) => return Ok((t, false)),
        Err(TokenError::Read { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut bytes = [0u8; GENERATED_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let created = options.open(path).and_then(|mut f| {
        f.write_all(hex.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()
    });
    match created {
        Ok(()) => Ok((Token(hex), true)),
        // Another process (a second `serve` on the same data directory) won the race: use
        // its token.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read(path).map(|t| (t, false)),
        Err(source) => Err(TokenError::Create {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Reads and checks an existing token file (`roomgate check` uses it without creating one).
pub fn read(path: &Path) -> Result<Token, TokenError> {
    let text = std::fs::read_to_string(path).map_err(|source| TokenError::Read {
        path: path.to_owned(),
        source,
    })?;
    let token = text.trim();
    check_token(token).map_err(|reason| TokenError::Invalid {
        path: path.to_owned(),
        reason,
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                tracing::warn!(path = %path.display(),
                    "admin token file is readable by group or others; chmod 600 it");
            }
        }
    }
    Ok(Token(token.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_private_and_reread() {
        let dir = std::env::temp_dir().join(format!(
            "roomgate-admin-token-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(TOKEN_FILE_NAME);
        let (a, created) = load_or_create(&path).unwrap();
        assert!(created);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.trim().len(), 64);
        assert!(a.matches(text.trim().as_bytes()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (b, created) = load_or_create(&path).unwrap();
        assert!(!created);
        assert!(b.matches(text.trim().as_bytes()));
        assert!(!b.matches(b"wrong"));
        assert!(!format!("{b:?}").contains(text.trim()));
        std::fs::write(&path, "short\n").unwrap();
        assert!(matches!(
            load_or_create(&path),
            Err(TokenError::Invalid { .. })
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn token_rules() {
        assert!(check_token(&"a".repeat(32)).is_ok());
        assert!(check_token(&"a".repeat(31)).is_err());
        assert!(check_token(&"a".repeat(257)).is_err());
        assert!(check_token(&format!("{} b", "a".repeat(32))).is_err());
    }
}
