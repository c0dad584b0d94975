//! The SIP element: what Roomgate answers, on top of the transaction layer.

pub mod auth;
pub mod driver;
pub mod overload;
pub mod rate_limit;
pub mod tu;
