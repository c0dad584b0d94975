//! H.323 signalling for Roomgate (TPKT, Q.931, H.225.0, H.245): sans-IO; nothing here yet.
