//! The SIP element: what Roomgate answers, on top of the transaction layer.

pub mod rate_limit;
