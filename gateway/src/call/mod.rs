//! Calls: a room leg and a cloud leg with one relay session between them.

pub mod negotiate;
