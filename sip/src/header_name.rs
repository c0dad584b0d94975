//! Header field names: the ones a B2BUA reads are variants, compact forms (RFC 3261 §7.3.3 and
//! later RFCs) map to the same variant, and every other name is kept as received.

/// Longer than any name we know, so longer names are "other" without a lookup.
const MAX_KNOWN_NAME: usize = 24;

macro_rules! header_names {
    ($( $variant:ident => $full:literal, $($pat:literal)|+ ;)*) => {
        /// A header field name. Comparison with received names is case-insensitive.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum HeaderName<'a> {
            $( $variant, )*
            /// Any other header, spelled as received.
            Other(&'a str),
        }

        impl<'a> HeaderName<'a> {
            /// Maps a received name (full or compact, any case) to a header name.
            pub fn from_wire(name: &'a str) -> Self {
                // Lower-case into a stack buffer and let the compiler build a decision tree
                // over the byte strings: one header name costs a few comparisons, not one per
                // known header.
                let mut buf = [0u8; MAX_KNOWN_NAME];
                let Some(lower) = buf.get_mut(..name.len()) else {
                    return HeaderName::Other(name);
                };
                for (d, s) in lower.iter_mut().zip(name.bytes()) {
                    *d = s.to_ascii_lowercase();
                }
                match &*lower {
                    $( $($pat)|+ => HeaderName::$variant, )*
                    _ => HeaderName::Other(name),
                }
            }

            /// The full name as it is written when we serialize.
            pub fn as_str(&self) -> &'a str {
                match self {
                    $( HeaderName::$variant => $full, )*
                    HeaderName::Other(name) => name,
                }
            }

            /// The full name, borrowed for the static spelling of a known header: what we build
            /// carries it without an allocation per header.
            pub fn to_owned_name(&self) -> std::borrow::Cow<'static, str> {
                match self {
                    $( HeaderName::$variant => std::borrow::Cow::Borrowed($full), )*
                    HeaderName::Other(name) => std::borrow::Cow::Owned((*name).to_owned()),
                }
            }

            /// The full name of a known header, or `"extension-header"` for others; used in
            /// error values, which must not borrow from the message.
            pub fn static_name(&self) -> &'static str {
                match self {
                    $( HeaderName::$variant => $full, )*
                    HeaderName::Other(_) => "extension-header",
                }
            }
        }
    };
}

header_names! {
    Accept => "Accept", b"accept";
    AcceptEncoding => "Accept-Encoding", b"accept-encoding";
    AcceptLanguage => "Accept-Language", b"accept-language";
    AlertInfo => "Alert-Info", b"alert-info";
    Allow => "Allow", b"allow";
    AllowEvents => "Allow-Events", b"allow-events" | b"u";
    AuthenticationInfo => "Authentication-Info", b"authentication-info";
    Authorization => "Authorization", b"authorization";
    CallId => "Call-ID", b"call-id" | b"i";
    CallInfo => "Call-Info", b"call-info";
    Contact => "Contact", b"contact" | b"m";
    ContentDisposition => "Content-Disposition", b"content-disposition";
    ContentEncoding => "Content-Encoding", b"content-encoding" | b"e";
    ContentLanguage => "Content-Language", b"content-language";
    ContentLength => "Content-Length", b"content-length" | b"l";
    ContentType => "Content-Type", b"content-type" | b"c";
    CSeq => "CSeq", b"cseq";
    Date => "Date", b"date";
    ErrorInfo => "Error-Info", b"error-info";
    Event => "Event", b"event" | b"o";
    Expires => "Expires", b"expires";
    From => "From", b"from" | b"f";
    InReplyTo => "In-Reply-To", b"in-reply-to";
    MaxForwards => "Max-Forwards", b"max-forwards";
    MimeVersion => "MIME-Version", b"mime-version";
    MinExpires => "Min-Expires", b"min-expires";
    MinSe => "Min-SE", b"min-se";
    Organization => "Organization", b"organization";
    PAssertedIdentity => "P-Asserted-Identity", b"p-asserted-identity";
    PPreferredIdentity => "P-Preferred-Identity", b"p-preferred-identity";
    Priority => "Priority", b"priority";
    Privacy => "Privacy", b"privacy";
    ProxyAuthenticate => "Proxy-Authenticate", b"proxy-authenticate";
    ProxyAuthorization => "Proxy-Authorization", b"proxy-authorization";
    ProxyRequire => "Proxy-Require", b"proxy-require";
    RAck => "RAck", b"rack";
    Reason => "Reason", b"reason";
    RecordRoute => "Record-Route", b"record-route";
    ReferTo => "Refer-To", b"refer-to" | b"r";
    ReferredBy => "Referred-By", b"referred-by" | b"b";
    ReplyTo => "Reply-To", b"reply-to";
    Require => "Require", b"require";
    RetryAfter => "Retry-After", b"retry-after";
    Route => "Route", b"route";
    RSeq => "RSeq", b"rseq";
    Server => "Server", b"server";
    SessionExpires => "Session-Expires", b"session-expires" | b"x";
    Subject => "Subject", b"subject" | b"s";
    Supported => "Supported", b"supported" | b"k";
    Timestamp => "Timestamp", b"timestamp";
    To => "To", b"to" | b"t";
    Unsupported => "Unsupported", b"unsupported";
    UserAgent => "User-Agent", b"user-agent";
    Via => "Via", b"via" | b"v";
    Warning => "Warning", b"warning";
    WwwAuthenticate => "WWW-Authenticate", b"www-authenticate";
}

impl std::fmt::Display for HeaderName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for HeaderName<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_and_case_insensitive_names_map_to_one_variant() {
        assert_eq!(HeaderName::from_wire("v"), HeaderName::Via);
        assert_eq!(HeaderName::from_wire("VIA"), HeaderName::Via);
        assert_eq!(
            HeaderName::from_wire("MaX-fOrWaRdS"),
            HeaderName::MaxForwards
        );
        assert_eq!(HeaderName::from_wire("i"), HeaderName::CallId);
        assert_eq!(HeaderName::from_wire("x"), HeaderName::SessionExpires);
        assert_eq!(HeaderName::from_wire("X-Foo"), HeaderName::Other("X-Foo"));
        assert_eq!(HeaderName::from_wire("l").as_str(), "Content-Length");
    }
}
