//! RFC 4028 session timers.
