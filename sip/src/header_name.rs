//! Header field names: the ones a B2BUA reads are variants, compact forms (RFC 3261 §7.3.3 and
//! later RFCs) map to the same variant, and every other name is kept as received.

macro_rules! header_names {
    ($( $variant:ident => $full:literal $(, $compact:literal)? ;)*) => {
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
                $(
                    if name.eq_ignore_ascii_case($full) $(|| name.eq_ignore_ascii_case($compact))? {
                        return HeaderName::$variant;
                    }
                )*
                HeaderName::Other(name)
            }

            /// The full name as it is written when we serialize.
            pub fn as_str(&self) -> &'a str {
                match self {
                    $( HeaderName::$variant => $full, )*
                    HeaderName::Other(name) => name,
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
    Accept => "Accept";
    AcceptEncoding => "Accept-Encoding";
    AcceptLanguage => "Accept-Language";
    AlertInfo => "Alert-Info";
    Allow => "Allow";
    AllowEvents => "Allow-Events", "u";
    AuthenticationInfo => "Authentication-Info";
    Authorization => "Authorization";
    CallId => "Call-ID", "i";
    CallInfo => "Call-Info";
    Contact => "Contact", "m";
    ContentDisposition => "Content-Disposition";
    ContentEncoding => "Content-Encoding", "e";
    ContentLanguage => "Content-Language";
    ContentLength => "Content-Length", "l";
    ContentType => "Content-Type", "c";
    CSeq => "CSeq";
    Date => "Date";
    ErrorInfo => "Error-Info";
    Event => "Event", "o";
    Expires => "Expires";
    From => "From", "f";
    InReplyTo => "In-Reply-To";
    MaxForwards => "Max-Forwards";
    MimeVersion => "MIME-Version";
    MinExpires => "Min-Expires";
    MinSe => "Min-SE";
    Organization => "Organization";
    PAssertedIdentity => "P-Asserted-Identity";
    PPreferredIdentity => "P-Preferred-Identity";
    Priority => "Priority";
    Privacy => "Privacy";
    ProxyAuthenticate => "Proxy-Authenticate";
    ProxyAuthorization => "Proxy-Authorization";
    ProxyRequire => "Proxy-Require";
    RAck => "RAck";
    Reason => "Reason";
    RecordRoute => "Record-Route";
    ReferTo => "Refer-To", "r";
    ReferredBy => "Referred-By", "b";
    ReplyTo => "Reply-To";
    Require => "Require";
    RetryAfter => "Retry-After";
    Route => "Route";
    RSeq => "RSeq";
    Server => "Server";
    SessionExpires => "Session-Expires", "x";
    Subject => "Subject", "s";
    Supported => "Supported", "k";
    Timestamp => "Timestamp";
    To => "To", "t";
    Unsupported => "Unsupported";
    UserAgent => "User-Agent";
    Via => "Via", "v";
    Warning => "Warning";
    WwwAuthenticate => "WWW-Authenticate";
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
