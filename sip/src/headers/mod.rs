//! Typed header access on a [`Message`]. Values are parsed on demand from the header text, so
//! reading one header never pays for the others; [`check_header`] runs the same parsers over
//! every known header during validation.

mod auth;
mod lists;
mod name_addr;
mod reason;
mod scalars;
mod via;

pub use auth::AuthValue;
pub use lists::{parse_accept, parse_token_list, MediaType};
pub use name_addr::{Contact, NameAddr};
pub use reason::Reason;
pub use scalars::{
    check_call_id, check_date, parse_delta_seconds, parse_max_forwards, CSeq, RetryAfter,
    SessionTimer, MAX_CSEQ,
};
pub use via::Via;

use crate::error::HeaderError;
use crate::header_name::HeaderName;
use crate::lex::split_list;
use crate::limits::MAX_LIST_ITEMS;
use crate::message::{Header, Message};

fn err(name: HeaderName<'_>) -> impl Fn(&'static str) -> HeaderError + '_ {
    move |what| HeaderError::new(&name, what)
}

fn name_addr_list(value: &str) -> Result<Vec<NameAddr<'_>>, &'static str> {
    split_list(value, MAX_LIST_ITEMS)?
        .into_iter()
        .map(NameAddr::parse)
        .collect()
}

fn bracketed_list(value: &str) -> Result<Vec<NameAddr<'_>>, &'static str> {
    let list = name_addr_list(value)?;
    if list.iter().all(|a| a.bracketed) {
        Ok(list)
    } else {
        Err("route entries must be in angle brackets")
    }
}

fn parse_contact(value: &str) -> Result<Contact<'_>, &'static str> {
    if value.trim() == "*" {
        return Ok(Contact::Wildcard("*"));
    }
    let list = name_addr_list(value)?;
    for a in &list {
        if let Some(p) = a.param("expires") {
            parse_delta_seconds(p.value.as_deref().ok_or("expires without value")?)?;
        }
        if let Some(q) = a.param("q") {
            let v = q.value.as_deref().ok_or("q without value")?;
            if !is_qvalue(v) {
                return Err("q must be 0 to 1 with at most 3 decimals");
            }
        }
    }
    Ok(Contact::Addresses(list))
}

/// RFC 3261 `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`.
fn is_qvalue(v: &str) -> bool {
    let (int, frac) = match crate::lex::split_byte(v, b'.') {
        Some((i, f)) => (i, Some(f)),
        None => (v, None),
    };
    let frac_ok =
        |allowed: fn(u8) -> bool| frac.is_none_or(|f| f.len() <= 3 && f.bytes().all(allowed));
    match int {
        "0" => frac_ok(|b| b.is_ascii_digit()),
        "1" => frac_ok(|b| b == b'0'),
        _ => false,
    }
}

pub(crate) fn parse_vias(value: &str) -> Result<Vec<Via<'_>>, &'static str> {
    split_list(value, MAX_LIST_ITEMS)?
        .into_iter()
        .map(Via::parse)
        .collect()
}

/// Runs the typed parser of a known header over its value; unknown headers always pass.
pub fn check_header(header: &Header<'_>) -> Result<(), HeaderError> {
    let v: &str = &header.value;
    let e = err(header.name);
    let result: Result<(), &'static str> = match header.name {
        HeaderName::Via => parse_vias(v).map(drop),
        HeaderName::From | HeaderName::To => NameAddr::parse(v).map(drop),
        HeaderName::Contact => parse_contact(v).map(drop),
        HeaderName::Route | HeaderName::RecordRoute => bracketed_list(v).map(drop),
        HeaderName::PAssertedIdentity | HeaderName::PPreferredIdentity | HeaderName::ReplyTo => {
            name_addr_list(v).map(drop)
        }
        HeaderName::CallId => check_call_id(v),
        HeaderName::CSeq => CSeq::parse(v).map(drop),
        HeaderName::MaxForwards => parse_max_forwards(v).map(drop),
        HeaderName::Expires | HeaderName::MinExpires | HeaderName::RSeq => {
            parse_delta_seconds(v).map(drop)
        }
        HeaderName::ContentLength => {
            crate::lex::bounded_decimal(v, crate::limits::MAX_CONTENT_LENGTH as u64).map(drop)
        }
        HeaderName::ContentType => MediaType::parse(v).map(drop),
        HeaderName::Accept => parse_accept(v).map(drop),
        HeaderName::Supported
        | HeaderName::Require
        | HeaderName::ProxyRequire
        | HeaderName::Unsupported
        | HeaderName::Allow
        | HeaderName::ContentEncoding => lists::check_token_list(v),
        HeaderName::Authorization
        | HeaderName::ProxyAuthorization
        | HeaderName::WwwAuthenticate
        | HeaderName::ProxyAuthenticate => AuthValue::parse(v).map(drop),
        HeaderName::SessionExpires | HeaderName::MinSe => SessionTimer::parse(v).map(drop),
        HeaderName::RetryAfter => RetryAfter::parse(v).map(drop),
        HeaderName::Reason => split_list(v, MAX_LIST_ITEMS).and_then(|items| {
            items
                .into_iter()
                .try_for_each(|r| Reason::parse(r).map(drop))
        }),
        HeaderName::Date => check_date(v),
        HeaderName::Warning => split_list(v, MAX_LIST_ITEMS)
            .and_then(|items| items.into_iter().try_for_each(scalars::check_warning)),
        HeaderName::RAck => scalars::check_rack(v),
        HeaderName::UserAgent | HeaderName::Server => {
            if v.is_empty() {
                Err("empty product list")
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    };
    result.map_err(e)
}

impl<'a> Message<'a> {
    fn required(&self, name: HeaderName<'static>) -> Result<&Header<'a>, HeaderError> {
        self.header(name)
            .ok_or_else(|| HeaderError::new(&name, "missing"))
    }

    /// Every Via entry, top first, across all Via fields.
    pub fn vias(&self) -> Result<Vec<Via<'_>>, HeaderError> {
        let mut out = Vec::new();
        for h in self.headers_named(HeaderName::Via) {
            let list = parse_vias(&h.value).map_err(err(HeaderName::Via))?;
            if out.len() + list.len() > MAX_LIST_ITEMS {
                return Err(HeaderError::new(&HeaderName::Via, "too many Via entries"));
            }
            out.extend(list);
        }
        Ok(out)
    }

    /// The topmost Via entry.
    pub fn top_via(&self) -> Result<Via<'_>, HeaderError> {
        if let Some(v) = &self.core.top_via {
            return Ok(v.clone());
        }
        let h = self.required(HeaderName::Via)?;
        let first = split_list(&h.value, MAX_LIST_ITEMS)
            .map_err(err(HeaderName::Via))?
            .into_iter()
            .next()
            .ok_or_else(|| HeaderError::new(&HeaderName::Via, "empty"))?;
        Via::parse(first).map_err(err(HeaderName::Via))
    }

    pub fn from_header(&self) -> Result<NameAddr<'_>, HeaderError> {
        if let Some(v) = &self.core.from {
            return Ok(v.clone());
        }
        NameAddr::parse(&self.required(HeaderName::From)?.value).map_err(err(HeaderName::From))
    }

    pub fn to_header(&self) -> Result<NameAddr<'_>, HeaderError> {
        if let Some(v) = &self.core.to {
            return Ok(v.clone());
        }
        NameAddr::parse(&self.required(HeaderName::To)?.value).map_err(err(HeaderName::To))
    }

    pub fn call_id(&self) -> Result<&str, HeaderError> {
        if let Some(v) = self.core.call_id {
            return Ok(v);
        }
        let v = &self.required(HeaderName::CallId)?.value;
        check_call_id(v).map_err(err(HeaderName::CallId))?;
        Ok(v)
    }

    pub fn cseq(&self) -> Result<CSeq<'_>, HeaderError> {
        if let Some(v) = &self.core.cseq {
            return Ok(v.clone());
        }
        CSeq::parse(&self.required(HeaderName::CSeq)?.value).map_err(err(HeaderName::CSeq))
    }

    pub fn max_forwards(&self) -> Result<Option<u8>, HeaderError> {
        self.header(HeaderName::MaxForwards)
            .map(|h| parse_max_forwards(&h.value).map_err(err(HeaderName::MaxForwards)))
            .transpose()
    }

    /// All Contact fields; `None` when there is no Contact.
    pub fn contacts(&self) -> Result<Option<Contact<'_>>, HeaderError> {
        let mut all: Option<Contact<'_>> = None;
        for h in self.headers_named(HeaderName::Contact) {
            let c = parse_contact(&h.value).map_err(err(HeaderName::Contact))?;
            all = Some(match (all, c) {
                (None, c) => c,
                (Some(Contact::Addresses(mut a)), Contact::Addresses(b)) => {
                    a.extend(b);
                    Contact::Addresses(a)
                }
                _ => {
                    return Err(HeaderError::new(
                        &HeaderName::Contact,
                        "'*' mixed with addresses",
                    ))
                }
            });
        }
        Ok(all)
    }

    fn addr_lists(&self, name: HeaderName<'static>) -> Result<Vec<NameAddr<'_>>, HeaderError> {
        let mut out = Vec::new();
        for h in self.headers_named(name) {
            let list = bracketed_list(&h.value).map_err(err(name))?;
            if out.len() + list.len() > MAX_LIST_ITEMS {
                return Err(HeaderError::new(&name, "too many entries"));
            }
            out.extend(list);
        }
        Ok(out)
    }

    pub fn routes(&self) -> Result<Vec<NameAddr<'_>>, HeaderError> {
        self.addr_lists(HeaderName::Route)
    }

    pub fn record_routes(&self) -> Result<Vec<NameAddr<'_>>, HeaderError> {
        self.addr_lists(HeaderName::RecordRoute)
    }

    pub fn p_asserted_identities(&self) -> Result<Vec<NameAddr<'_>>, HeaderError> {
        let mut out = Vec::new();
        for h in self.headers_named(HeaderName::PAssertedIdentity) {
            out.extend(name_addr_list(&h.value).map_err(err(HeaderName::PAssertedIdentity))?);
        }
        Ok(out)
    }

    pub fn content_type(&self) -> Result<Option<MediaType<'_>>, HeaderError> {
        self.header(HeaderName::ContentType)
            .map(|h| MediaType::parse(&h.value).map_err(err(HeaderName::ContentType)))
            .transpose()
    }

    /// Accept; `None` when absent (which means `application/sdp` for INVITE, RFC 3261 §20.1).
    pub fn accept(&self) -> Result<Option<Vec<MediaType<'_>>>, HeaderError> {
        let mut out: Option<Vec<MediaType<'_>>> = None;
        for h in self.headers_named(HeaderName::Accept) {
            out.get_or_insert_with(Vec::new)
                .extend(parse_accept(&h.value).map_err(err(HeaderName::Accept))?);
        }
        Ok(out)
    }

    /// The tokens of every field of a token-list header (Supported, Require, Allow, …).
    pub fn tokens(&self, name: HeaderName<'static>) -> Result<Vec<&str>, HeaderError> {
        let mut out = Vec::new();
        for h in self.headers_named(name) {
            out.extend(parse_token_list(&h.value).map_err(err(name))?);
            if out.len() > MAX_LIST_ITEMS {
                return Err(HeaderError::new(&name, "too many entries"));
            }
        }
        Ok(out)
    }

    pub fn expires(&self) -> Result<Option<u32>, HeaderError> {
        self.header(HeaderName::Expires)
            .map(|h| parse_delta_seconds(&h.value).map_err(err(HeaderName::Expires)))
            .transpose()
    }

    pub fn session_expires(&self) -> Result<Option<SessionTimer<'_>>, HeaderError> {
        self.header(HeaderName::SessionExpires)
            .map(|h| SessionTimer::parse(&h.value).map_err(err(HeaderName::SessionExpires)))
            .transpose()
    }

    pub fn min_se(&self) -> Result<Option<SessionTimer<'_>>, HeaderError> {
        self.header(HeaderName::MinSe)
            .map(|h| SessionTimer::parse(&h.value).map_err(err(HeaderName::MinSe)))
            .transpose()
    }

    /// Every credential or challenge of one of the four authentication headers.
    pub fn auth(&self, name: HeaderName<'static>) -> Result<Vec<AuthValue<'_>>, HeaderError> {
        self.headers_named(name)
            .map(|h| AuthValue::parse(&h.value).map_err(err(name)))
            .collect()
    }

    pub fn reasons(&self) -> Result<Vec<Reason<'_>>, HeaderError> {
        let mut out = Vec::new();
        for h in self.headers_named(HeaderName::Reason) {
            for item in split_list(&h.value, MAX_LIST_ITEMS).map_err(err(HeaderName::Reason))? {
                out.push(Reason::parse(item).map_err(err(HeaderName::Reason))?);
            }
        }
        Ok(out)
    }

    /// User-Agent (requests) or Server (responses) text.
    pub fn user_agent(&self) -> Option<&str> {
        self.header_value(HeaderName::UserAgent)
            .or_else(|| self.header_value(HeaderName::Server))
    }
}
