//! The route set (RFC 3261 §12.1, §12.2.1.1): Record-Route entries frozen at dialog
//! creation, and how a request is addressed through them with loose (`lr`) or strict
//! routing.

use super::DialogError;
use crate::headers::NameAddr;
use crate::uri::Uri;

/// Most entries a dialog's route set may hold. Real deployments have two or three proxies;
/// the bound keeps a hostile peer from making every in-dialog request carry the parser's
/// full 64-entry list.
pub const MAX_ROUTE_SET_LEN: usize = 16;

/// One hop of the route set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteEntry {
    /// The entry as a Route header value (`<uri>;params`), copied from Record-Route.
    pub value: String,
    /// The URI alone.
    pub uri: String,
    /// The URI has `lr`: a loose router (RFC 3261) rather than a strict one (RFC 2543).
    pub loose: bool,
}

impl RouteEntry {
    fn from_name_addr(addr: &NameAddr<'_>) -> Self {
        let loose = addr.uri.as_sip().is_some_and(|u| u.param("lr").is_some());
        RouteEntry {
            value: addr.to_string(),
            uri: addr.uri.to_string(),
            loose,
        }
    }
}

/// The ordered route set; the first entry is the next hop.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteSet {
    entries: Vec<RouteEntry>,
}

/// Where a request goes: its Request-URI and the Route values, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressing {
    pub request_uri: String,
    pub routes: Vec<String>,
}

impl RouteSet {
    /// Builds the route set from Record-Route entries in message order; `reverse` for the
    /// UAC (§12.1.2), as-is for the UAS (§12.1.1).
    pub fn from_record_route(entries: &[NameAddr<'_>], reverse: bool) -> Result<Self, DialogError> {
        if entries.len() > MAX_ROUTE_SET_LEN {
            return Err(DialogError::RouteSetTooLong {
                limit: MAX_ROUTE_SET_LEN,
            });
        }
        let mut entries: Vec<RouteEntry> = entries.iter().map(RouteEntry::from_name_addr).collect();
        if reverse {
            entries.reverse();
        }
        Ok(RouteSet { entries })
    }

    pub fn entries(&self) -> &[RouteEntry] {
        &self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// §12.2.1.1: with an empty route set or a loose first hop, the Request-URI is the
    /// remote target and Route is the route set. With a strict first hop, the Request-URI is
    /// that hop's URI (stripped of what a Request-URI may not carry) and the remote target
    /// goes last in Route, so the strict router can swap it back in.
    pub fn addressing(&self, remote_target: &str) -> Addressing {
        match self.entries.split_first() {
            Some((first, rest)) if !first.loose => {
                let mut routes: Vec<String> = rest.iter().map(|e| e.value.clone()).collect();
                routes.push(format!("<{remote_target}>"));
                Addressing {
                    request_uri: request_uri_form(&first.uri),
                    routes,
                }
            }
            _ => Addressing {
                request_uri: remote_target.to_owned(),
                routes: self.entries.iter().map(|e| e.value.clone()).collect(),
            },
        }
    }
}

/// A URI as a Request-URI: without URI headers and the `method` parameter, which RFC 3261
/// §19.1.1 (Table 1) does not allow there.
fn request_uri_form(uri: &str) -> String {
    match Uri::parse(uri) {
        Ok(Uri::Sip(mut sip)) => {
            sip.headers.clear();
            sip.params
                .retain(|p| !p.name.eq_ignore_ascii_case("method"));
            sip.to_string()
        }
        _ => uri.to_owned(),
    }
}
