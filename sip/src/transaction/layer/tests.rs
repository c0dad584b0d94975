use std::time::{Duration, Instant};

use super::*;
use crate::transaction::test_support::*;
use crate::transaction::Transport;

#[test]
fn options_times_out_through_the_layer() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(LayerConfig::default());
    let id = layer
        .send_request(t0, request("OPTIONS", "z9hG4bKl1"), dest(Transport::Udp))
        .unwrap();
    assert_eq!(layer.kind(id), Some(TransactionKind::ClientNonInvite));
    let run = run_to_end(&mut layer, t0);
    assert_eq!(run.transmit_times.len(), 11);
    assert_eq!(run.end, Duration::from_secs(32));
    assert!(layer.is_empty());
}
