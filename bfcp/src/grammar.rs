//! Which attributes each primitive and each grouped attribute may carry (RFC 8855 §5.3 and
//! §5.2.14–18), and the validation step that checks a decoded message against it.
//!
//! Decoding already refuses a known attribute inside a group whose grammar does not list it
//! (that is what bounds nesting); cardinality, and which attributes a primitive needs, are
//! checked here so a caller can still look at a message that breaks them. Extension
//! (unknown) attributes are allowed everywhere: every rule ends in `*EXTENSION-ATTRIBUTE`.

use crate::attribute::{Attribute, AttributeType};
use crate::error::{Context, GrammarError};
use crate::primitive::Primitive;

/// At least `min`, at most `max` attributes of type `ty`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rule {
    pub ty: AttributeType,
    pub min: usize,
    pub max: usize,
}

const MANY: usize = usize::MAX;

const fn one(ty: AttributeType) -> Rule {
    Rule { ty, min: 1, max: 1 }
}
const fn opt(ty: AttributeType) -> Rule {
    Rule { ty, min: 0, max: 1 }
}
const fn any(ty: AttributeType) -> Rule {
    Rule {
        ty,
        min: 0,
        max: MANY,
    }
}
const fn some(ty: AttributeType) -> Rule {
    Rule {
        ty,
        min: 1,
        max: MANY,
    }
}

use AttributeType as A;

const FLOOR_REQUEST: &[Rule] = &[
    some(A::FloorId),
    opt(A::BeneficiaryId),
    opt(A::ParticipantProvidedInfo),
    opt(A::Priority),
];
const BY_REQUEST_ID: &[Rule] = &[one(A::FloorRequestId)];
const ONE_FRI: &[Rule] = &[one(A::FloorRequestInformation)];
const USER_QUERY: &[Rule] = &[opt(A::BeneficiaryId)];
const USER_STATUS: &[Rule] = &[
    opt(A::BeneficiaryInformation),
    any(A::FloorRequestInformation),
];
const FLOOR_QUERY: &[Rule] = &[any(A::FloorId)];
const FLOOR_STATUS: &[Rule] = &[opt(A::FloorId), any(A::FloorRequestInformation)];
const HELLO_ACK: &[Rule] = &[one(A::SupportedPrimitives), one(A::SupportedAttributes)];
const ERROR: &[Rule] = &[one(A::ErrorCode), opt(A::ErrorInfo)];
const NOTHING: &[Rule] = &[];

const USER_INFORMATION: &[Rule] = &[opt(A::UserDisplayName), opt(A::UserUri)];
const FLOOR_REQUEST_INFORMATION: &[Rule] = &[
    opt(A::OverallRequestStatus),
    some(A::FloorRequestStatus),
    opt(A::BeneficiaryInformation),
    opt(A::RequestedByInformation),
    opt(A::Priority),
    opt(A::ParticipantProvidedInfo),
];
const STATUS: &[Rule] = &[opt(A::RequestStatus), opt(A::StatusInfo)];

pub(crate) fn message_rules(p: Primitive) -> &'static [Rule] {
    match p {
        Primitive::FloorRequest => FLOOR_REQUEST,
        Primitive::FloorRelease | Primitive::FloorRequestQuery => BY_REQUEST_ID,
        Primitive::FloorRequestStatus | Primitive::ChairAction => ONE_FRI,
        Primitive::UserQuery => USER_QUERY,
        Primitive::UserStatus => USER_STATUS,
        Primitive::FloorQuery => FLOOR_QUERY,
        Primitive::FloorStatus => FLOOR_STATUS,
        Primitive::HelloAck => HELLO_ACK,
        Primitive::Error => ERROR,
        Primitive::ChairActionAck
        | Primitive::Hello
        | Primitive::FloorRequestStatusAck
        | Primitive::FloorStatusAck
        | Primitive::Goodbye
        | Primitive::GoodbyeAck => NOTHING,
    }
}

/// Empty for attributes that are not grouped.
pub(crate) fn group_rules(group: AttributeType) -> &'static [Rule] {
    match group {
        A::BeneficiaryInformation | A::RequestedByInformation => USER_INFORMATION,
        A::FloorRequestInformation => FLOOR_REQUEST_INFORMATION,
        A::FloorRequestStatus | A::OverallRequestStatus => STATUS,
        _ => NOTHING,
    }
}

pub(crate) fn allowed_in_group(group: AttributeType, child: AttributeType) -> bool {
    group_rules(group).iter().any(|r| r.ty == child)
}

/// Checks `attributes` (a message's, or a group's nested ones) against `rules`, recursively.
pub(crate) fn check(
    within: Context,
    rules: &[Rule],
    attributes: &[Attribute],
) -> Result<(), GrammarError> {
    for a in attributes {
        if let Some(ty) = a.value.attribute_type() {
            if !rules.iter().any(|r| r.ty == ty) {
                return Err(GrammarError::NotAllowed {
                    within,
                    attribute: ty,
                });
            }
        }
    }
    for r in rules {
        let count = attributes
            .iter()
            .filter(|a| a.value.attribute_type() == Some(r.ty))
            .count();
        if count < r.min {
            return Err(GrammarError::Missing {
                within,
                attribute: r.ty,
                min: r.min,
                count,
            });
        }
        if count > r.max {
            return Err(GrammarError::TooMany {
                within,
                attribute: r.ty,
                max: r.max,
                count,
            });
        }
    }
    for a in attributes {
        if let (Some(ty), Some(g)) = (a.value.attribute_type(), a.value.group()) {
            check(Context::Group(ty), group_rules(ty), &g.attributes)?;
        }
    }
    Ok(())
}
