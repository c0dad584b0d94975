//! BFCP primitives (message types), RFC 8855 §5.1 Table 1.

use serde::Serialize;

/// A message type. Values 1..=13 exist since RFC 4582; 14..=17 were added by RFC 8855
/// (the two acknowledgements are only needed over unreliable transports, Goodbye on all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[repr(u8)]
pub enum Primitive {
    FloorRequest = 1,
    FloorRelease = 2,
    FloorRequestQuery = 3,
    FloorRequestStatus = 4,
    UserQuery = 5,
    UserStatus = 6,
    FloorQuery = 7,
    FloorStatus = 8,
    ChairAction = 9,
    ChairActionAck = 10,
    Hello = 11,
    HelloAck = 12,
    Error = 13,
    FloorRequestStatusAck = 14,
    FloorStatusAck = 15,
    Goodbye = 16,
    GoodbyeAck = 17,
}

impl Primitive {
    /// Every primitive in wire order, for tests and for HelloAck's SUPPORTED-PRIMITIVES.
    pub const ALL: [Primitive; 17] = [
        Primitive::FloorRequest,
        Primitive::FloorRelease,
        Primitive::FloorRequestQuery,
        Primitive::FloorRequestStatus,
        Primitive::UserQuery,
        Primitive::UserStatus,
        Primitive::FloorQuery,
        Primitive::FloorStatus,
        Primitive::ChairAction,
        Primitive::ChairActionAck,
        Primitive::Hello,
        Primitive::HelloAck,
        Primitive::Error,
        Primitive::FloorRequestStatusAck,
        Primitive::FloorStatusAck,
        Primitive::Goodbye,
        Primitive::GoodbyeAck,
    ];

    /// The wire value.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// `None` for values no RFC defines: the caller answers those with Error code 3.
    pub fn from_code(code: u8) -> Option<Primitive> {
        Primitive::ALL.into_iter().find(|p| p.code() == code)
    }

    /// The RFC's spelling, used in error messages.
    pub fn name(self) -> &'static str {
        match self {
            Primitive::FloorRequest => "FloorRequest",
            Primitive::FloorRelease => "FloorRelease",
            Primitive::FloorRequestQuery => "FloorRequestQuery",
            Primitive::FloorRequestStatus => "FloorRequestStatus",
            Primitive::UserQuery => "UserQuery",
            Primitive::UserStatus => "UserStatus",
            Primitive::FloorQuery => "FloorQuery",
            Primitive::FloorStatus => "FloorStatus",
            Primitive::ChairAction => "ChairAction",
            Primitive::ChairActionAck => "ChairActionAck",
            Primitive::Hello => "Hello",
            Primitive::HelloAck => "HelloAck",
            Primitive::Error => "Error",
            Primitive::FloorRequestStatusAck => "FloorRequestStatusAck",
            Primitive::FloorStatusAck => "FloorStatusAck",
            Primitive::Goodbye => "Goodbye",
            Primitive::GoodbyeAck => "GoodbyeAck",
        }
    }
}

impl std::fmt::Display for Primitive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Primitive;

    #[test]
    fn codes_are_one_to_seventeen_in_order() {
        for (i, p) in Primitive::ALL.iter().enumerate() {
            assert_eq!(usize::from(p.code()), i + 1, "{p}");
            assert_eq!(Primitive::from_code(p.code()), Some(*p));
        }
        assert_eq!(Primitive::from_code(0), None);
        assert_eq!(Primitive::from_code(18), None);
        assert_eq!(Primitive::from_code(255), None);
    }
}
