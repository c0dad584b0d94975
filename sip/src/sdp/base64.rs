//! Strict standard base64 (RFC 4648 §4) for SDES key material.
//!
//! Strict on purpose: padding required, no whitespace, unused trailing bits must be zero.
//! Then every accepted string has exactly one decoding and one encoding, so a typed
//! `a=crypto` re-encodes to the text it came from.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn value(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes `text`, or `None` when it is not canonical padded base64.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || bytes.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let chunks = bytes.chunks_exact(4);
    let last_index = chunks.len().saturating_sub(1);
    for (i, chunk) in chunks.enumerate() {
        let &[a, b, c, d] = chunk else { return None };
        let pad = match (c, d) {
            (b'=', b'=') => 2,
            (_, b'=') => 1,
            (b'=', _) => return None,
            _ => 0,
        };
        if pad > 0 && i != last_index {
            return None;
        }
        let n = (value(a)? << 18)
            | (value(b)? << 12)
            | (if pad == 2 { 0 } else { value(c)? << 6 })
            | (if pad >= 1 { 0 } else { value(d)? });
        let [_, b0, b1, b2] = n.to_be_bytes();
        out.push(b0);
        match pad {
            0 => {
                out.push(b1);
                out.push(b2);
            }
            1 if b2 == 0 => out.push(b1),
            2 if b1 == 0 && b2 == 0 => {}
            _ => return None, // non-zero bits under the padding: not canonical
        }
    }
    Some(out)
}

pub(crate) fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    let sym = |n: u32, shift: u32| {
        char::from(
            ALPHABET
                .get(((n >> shift) & 63) as usize)
                .copied()
                .unwrap_or(b'A'),
        )
    };
    for chunk in data.chunks(3) {
        let b0 = u32::from(chunk.first().copied().unwrap_or(0));
        let b1 = u32::from(chunk.get(1).copied().unwrap_or(0));
        let b2 = u32::from(chunk.get(2).copied().unwrap_or(0));
        let n = (b0 << 16) | (b1 << 8) | b2;
        out.push(sym(n, 18));
        out.push(sym(n, 12));
        out.push(if chunk.len() > 1 { sym(n, 6) } else { '=' });
        out.push(if chunk.len() > 2 { sym(n, 0) } else { '=' });
    }
    out
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors() {
        for (plain, enc) in [
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), enc);
            assert_eq!(decode(enc).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn strictness() {
        for bad in [
            "", "Zg", "Zg=", "Zh==", "Zm9=", "Z===", "Zg==Zg==", "Zm 9v", "Zm9v\n", "Zm-v",
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }
}
