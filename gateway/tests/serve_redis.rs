//! `roomgate serve` with `[store] backend = "redis"`: the real binary seeds the demo meetings
//! into a real redis-server (once per Redis, not per node) and runs on them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::redis::RedisServer;
use common::{ServeOptions, Server};
use roomgate::store::RedisMeetings;

#[test]
fn serve_on_redis_seeds_the_demo_meetings_once_for_the_cluster() {
    let redis = RedisServer::start();
    let opts = ServeOptions {
        extra: format!(
            "[store]\nbackend = \"redis\"\nredis_url = \"{}\"\nredis_prefix = \"rg:\"\n",
            redis.url()
        ),
        ..ServeOptions::default()
    };
    let mut first = Server::start_with(opts.clone());
    first.assert_running();
    let meetings = RedisMeetings::open(&redis.url(), "rg:").unwrap();
    let ids: Vec<String> = meetings
        .list_meetings()
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, ["1000", "1001"]);
    assert!(meetings
        .get_meeting("1000")
        .unwrap()
        .unwrap()
        .pin_hash
        .is_some());
    // A second node on the same Redis does not seed again (a removed demo meeting stays
    // removed for the whole cluster).
    assert!(meetings.remove_meeting("1001").unwrap());
    let mut second = Server::start_with(opts);
    second.assert_running();
    assert!(meetings.get_meeting("1001").unwrap().is_none());
    assert!(second.log().contains("roomgate listening"));
    // No meetings went to the node's own SQLite file (it keeps only this node's CDRs).
    let local = roomgate::store::Store::open(&second.dir.join("roomgate-data")).unwrap();
    assert!(local.list_meetings().unwrap().is_empty());
    first.assert_running();
}
