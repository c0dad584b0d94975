//! BFCP (RFC 8855) for Roomgate: sans-IO; nothing here yet.
