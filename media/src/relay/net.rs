//! Socket layer (in progress).
