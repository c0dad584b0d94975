//! SDP attributes of BFCP streams (RFC 8856), which carry the content-sharing floor.

use std::fmt;

use super::connection::{is_token, parse_decimal};
use super::limits::MAX_LIST_ITEMS;

/// One role of `a=floorctrl`. An offer lists the roles the offerer can take; the answer
/// names the single role the answerer takes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum FloorCtrlRole {
    /// `c-only`: floor control client.
    ClientOnly,
    /// `s-only`: floor control server.
    ServerOnly,
    /// `c-s`: either.
    ClientServer,
}

impl FloorCtrlRole {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::ClientOnly => "c-only",
            Self::ServerOnly => "s-only",
            Self::ClientServer => "c-s",
        }
    }

    pub(crate) fn parse_list(value: &str) -> Result<Vec<Self>, &'static str> {
        let mut roles = Vec::new();
        for token in value.split(' ') {
            if roles.len() >= MAX_LIST_ITEMS {
                return Err("too many roles");
            }
            roles.push(match token {
                "c-only" => Self::ClientOnly,
                "s-only" => Self::ServerOnly,
                "c-s" => Self::ClientServer,
                _ => return Err("role must be c-only, s-only or c-s"),
            });
        }
        Ok(roles)
    }
}

impl fmt::Display for FloorCtrlRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `a=floorid:<id> [mstrm:<label> ...]`: binds a floor to the media streams (by
/// `a=label`) it controls, e.g. floor 1 to the slides video.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FloorId {
    pub floor_id: u16,
    pub media_labels: Vec<String>,
    /// Written with RFC 4583's `m-stream:` instead of RFC 8856's `mstrm:`.
    pub legacy_m_stream: bool,
}

impl FloorId {
    pub fn new(floor_id: u16, media_labels: Vec<String>) -> Self {
        Self {
            floor_id,
            media_labels,
            legacy_m_stream: false,
        }
    }

    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        let mut parts = value.split(' ');
        let floor_id = parts
            .next()
            .and_then(parse_decimal)
            .ok_or("floor id must be a 16-bit number")?;
        let mut id = Self::new(floor_id, Vec::new());
        let Some(first) = parts.next() else {
            return Ok(id);
        };
        let first_label = if let Some(label) = first.strip_prefix("mstrm:") {
            label
        } else if let Some(label) = first.strip_prefix("m-stream:") {
            id.legacy_m_stream = true;
            label
        } else {
            return Err("expected mstrm:");
        };
        for label in std::iter::once(first_label).chain(parts) {
            if id.media_labels.len() >= MAX_LIST_ITEMS {
                return Err("too many stream labels");
            }
            if !is_token(label) {
                return Err("stream label must be a token");
            }
            id.media_labels.push(label.to_owned());
        }
        Ok(id)
    }
}

impl fmt::Display for FloorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.floor_id)?;
        let key = if self.legacy_m_stream {
            "m-stream:"
        } else {
            "mstrm:"
        };
        for (i, label) in self.media_labels.iter().enumerate() {
            if i == 0 {
                write!(f, " {key}{label}")?;
            } else {
                write!(f, " {label}")?;
            }
        }
        Ok(())
    }
}

pub(crate) fn parse_versions(value: &str) -> Result<Vec<u16>, &'static str> {
    let mut versions = Vec::new();
    for token in value.split(' ') {
        if versions.len() >= MAX_LIST_ITEMS {
            return Err("too many versions");
        }
        versions.push(parse_decimal(token).ok_or("version must be a number")?);
    }
    Ok(versions)
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
    fn floorid_forms() {
        let f = FloorId::parse("1 mstrm:12 13").unwrap();
        assert_eq!(f.media_labels, ["12", "13"]);
        assert_eq!(f.to_string(), "1 mstrm:12 13");
        let f = FloorId::parse("2 m-stream:3").unwrap();
        assert!(f.legacy_m_stream);
        assert_eq!(f.to_string(), "2 m-stream:3");
        assert_eq!(FloorId::parse("7").unwrap().to_string(), "7");
        assert!(FloorId::parse("1 stream:3").is_err());
        assert!(FloorId::parse("70000").is_err());
        assert!(FloorId::parse("1 mstrm:").is_err());
    }

    #[test]
    fn roles_and_versions() {
        assert_eq!(
            FloorCtrlRole::parse_list("c-only s-only").unwrap(),
            [FloorCtrlRole::ClientOnly, FloorCtrlRole::ServerOnly]
        );
        assert!(FloorCtrlRole::parse_list("c-only  s-only").is_err());
        assert!(FloorCtrlRole::parse_list("server").is_err());
        assert_eq!(parse_versions("1 2").unwrap(), [1, 2]);
        assert!(parse_versions("1.0").is_err());
    }
}
