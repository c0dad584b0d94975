//! Bencode (the BitTorrent encoding rtpengine's ng control protocol uses): integers, byte
//! strings, lists and dictionaries. The decoder reads one value from untrusted datagrams with
//! a bound on nesting, items and string sizes, and refuses what is not canonical where it
//! matters for safety (leading zeros, `-0`, lengths past the input); the encoder writes
//! dictionaries with their keys sorted, as the format requires.

use std::fmt::Write as _;

/// Deepest nesting of lists and dictionaries: an ng message nests two levels (a dictionary
/// of lists, `codec` a dictionary of lists); eight leaves room and stops a datagram of
/// `llllll…` from recursing as deep as its length.
pub const MAX_DEPTH: usize = 8;

/// Most items in one list or dictionary (flags, codecs, replace options are a handful).
pub const MAX_ITEMS: usize = 256;

/// Largest byte string: an SDP body of a video call with several streams stays well under.
pub const MAX_STRING: usize = 64 * 1024;

/// Most values in one message in all, so a wide tree of small values is bounded too.
pub const MAX_VALUES: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Int(i64),
    Bytes(Vec<u8>),
    List(Vec<Value>),
    /// Keys in the order read (sorted when written).
    Dict(Vec<(Vec<u8>, Value)>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BencodeError {
    #[error("bencode ends early at offset {0}")]
    Truncated(usize),
    #[error("unexpected byte {byte:#04x} at offset {at}")]
    Unexpected { byte: u8, at: usize },
    #[error("malformed integer at offset {0}")]
    BadInteger(usize),
    #[error("string of {len} bytes at offset {at} exceeds the limit of {limit}")]
    StringTooLong { len: usize, at: usize, limit: usize },
    #[error("nesting deeper than {MAX_DEPTH}")]
    TooDeep,
    #[error("more than {MAX_ITEMS} items in one list or dictionary")]
    TooManyItems,
    #[error("more than {MAX_VALUES} values in one message")]
    TooManyValues,
    #[error("dictionary key at offset {0} is not a byte string")]
    KeyNotString(usize),
    #[error("{0} bytes after the value")]
    Trailing(usize),
}

impl Value {
    pub fn bytes(b: impl Into<Vec<u8>>) -> Value {
        Value::Bytes(b.into())
    }

    /// The value under `key` of a dictionary.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Dict(d) => d
                .iter()
                .find(|(k, _)| k.as_slice() == key.as_bytes())
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// A byte string as UTF-8 text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Bytes(b) => std::str::from_utf8(b).ok(),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The texts of a list of byte strings (what ng uses for flags); a single string reads
    /// as a list of one, as rtpengine accepts both.
    pub fn as_str_list(&self) -> Vec<&str> {
        match self {
            Value::List(items) => items.iter().filter_map(Value::as_str).collect(),
            Value::Bytes(_) => self.as_str().into_iter().collect(),
            _ => Vec::new(),
        }
    }

    /// Decodes exactly one value filling `input`.
    pub fn decode(input: &[u8]) -> Result<Value, BencodeError> {
        let mut r = Reader {
            input,
            at: 0,
            values: 0,
        };
        let v = r.value(0)?;
        if r.at != input.len() {
            return Err(BencodeError::Trailing(input.len() - r.at));
        }
        Ok(v)
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            Value::Int(i) => {
                let mut s = String::new();
                let _ = write!(s, "i{i}e");
                out.extend_from_slice(s.as_bytes());
            }
            Value::Bytes(b) => write_bytes(out, b),
            Value::List(items) => {
                out.push(b'l');
                for v in items {
                    v.encode_into(out);
                }
                out.push(b'e');
            }
            Value::Dict(entries) => {
                let mut sorted: Vec<&(Vec<u8>, Value)> = entries.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                out.push(b'd');
                for (k, v) in sorted {
                    write_bytes(out, k);
                    v.encode_into(out);
                }
                out.push(b'e');
            }
        }
    }
}

fn write_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(b.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(b);
}

struct Reader<'a> {
    input: &'a [u8],
    at: usize,
    values: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Result<u8, BencodeError> {
        self.input
            .get(self.at)
            .copied()
            .ok_or(BencodeError::Truncated(self.at))
    }

    fn value(&mut self, depth: usize) -> Result<Value, BencodeError> {
        self.values += 1;
        if self.values > MAX_VALUES {
            return Err(BencodeError::TooManyValues);
        }
        match self.peek()? {
            b'i' => {
                self.at += 1;
                let n = self.integer_until(b'e')?;
                Ok(Value::Int(n))
            }
            b'0'..=b'9' => self.string().map(Value::Bytes),
            b'l' => {
                if depth >= MAX_DEPTH {
                    return Err(BencodeError::TooDeep);
                }
                self.at += 1;
                let mut items = Vec::new();
                while self.peek()? != b'e' {
                    if items.len() >= MAX_ITEMS {
                        return Err(BencodeError::TooManyItems);
                    }
                    items.push(self.value(depth + 1)?);
                }
                self.at += 1;
                Ok(Value::List(items))
            }
            b'd' => {
                if depth >= MAX_DEPTH {
                    return Err(BencodeError::TooDeep);
                }
                self.at += 1;
                let mut entries = Vec::new();
                while self.peek()? != b'e' {
                    if entries.len() >= MAX_ITEMS {
                        return Err(BencodeError::TooManyItems);
                    }
                    if !self.peek()?.is_ascii_digit() {
                        return Err(BencodeError::KeyNotString(self.at));
                    }
                    let k = self.string()?;
                    let v = self.value(depth + 1)?;
                    entries.push((k, v));
                }
                self.at += 1;
                Ok(Value::Dict(entries))
            }
            byte => Err(BencodeError::Unexpected { byte, at: self.at }),
        }
    }

    /// A decimal integer up to `end` (consumed), with no leading zeros and no `-0`.
    fn integer_until(&mut self, end: u8) -> Result<i64, BencodeError> {
        let start = self.at;
        let rest = self.input.get(start..).unwrap_or_default();
        let len = rest
            .iter()
            .position(|&b| b == end)
            .ok_or(BencodeError::Truncated(self.input.len()))?;
        let digits = rest.get(..len).unwrap_or_default();
        let text = std::str::from_utf8(digits).map_err(|_| BencodeError::BadInteger(start))?;
        let unsigned = text.strip_prefix('-').unwrap_or(text);
        let canonical = !unsigned.is_empty()
            && unsigned.bytes().all(|b| b.is_ascii_digit())
            && (unsigned == "0" || !unsigned.starts_with('0'))
            && text != "-0";
        if !canonical {
            return Err(BencodeError::BadInteger(start));
        }
        let n = text.parse().map_err(|_| BencodeError::BadInteger(start))?;
        self.at = start + len + 1;
        Ok(n)
    }

    fn string(&mut self) -> Result<Vec<u8>, BencodeError> {
        let at = self.at;
        let len = self.integer_until(b':')?;
        let len = usize::try_from(len).map_err(|_| BencodeError::BadInteger(at))?;
        if len > MAX_STRING {
            return Err(BencodeError::StringTooLong {
                len,
                at,
                limit: MAX_STRING,
            });
        }
        let end = self
            .at
            .checked_add(len)
            .filter(|&e| e <= self.input.len())
            .ok_or(BencodeError::Truncated(self.input.len()))?;
        let s = self.input.get(self.at..end).unwrap_or_default().to_vec();
        self.at = end;
        Ok(s)
    }
}
