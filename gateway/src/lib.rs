//! Roomgate, the service: configuration, transports, calls and the `roomgate` command. Wire
//! formats are parsed by the protocol crates, never here.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod admin;
pub mod bench_relay;
pub mod call;
pub mod check;
pub mod cli_lockout;
pub mod cli_meeting;
pub mod cluster;
pub mod config;
pub mod decode;
pub mod echo;
pub mod endpoint;
pub mod h323;
pub mod lockout;
pub mod ng;
pub mod observe;
pub mod pin;
pub mod prompts;
pub mod resolve;
pub mod serve;
pub mod sip;
pub mod stats;
pub mod store;
pub mod transport;
