//! Request methods. Method names are case-sensitive (RFC 3261 §7.1), so `invite` is an
//! extension method, not INVITE.

macro_rules! methods {
    ($( $variant:ident => $name:literal ),* $(,)?) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Method<'a> {
            $( $variant, )*
            /// Any other method token.
            Extension(&'a str),
        }

        impl<'a> Method<'a> {
            /// Classifies a method token (the caller has checked it is a token).
            pub fn from_token(token: &'a str) -> Self {
                match token {
                    $( $name => Method::$variant, )*
                    other => Method::Extension(other),
                }
            }

            pub fn as_str(&self) -> &'a str {
                match self {
                    $( Method::$variant => $name, )*
                    Method::Extension(t) => t,
                }
            }
        }
    };
}

methods! {
    Invite => "INVITE",
    Ack => "ACK",
    Bye => "BYE",
    Cancel => "CANCEL",
    Options => "OPTIONS",
    Register => "REGISTER",
    Info => "INFO",
    Update => "UPDATE",
    Prack => "PRACK",
    Subscribe => "SUBSCRIBE",
    Notify => "NOTIFY",
    Refer => "REFER",
    Message => "MESSAGE",
    Publish => "PUBLISH",
}

impl std::fmt::Display for Method<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Method<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
