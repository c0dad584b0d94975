//! Call detail records in the embedded store: one row per ended call, written by the SIP
//! core (from `spawn_blocking`) and read by the admin API. The table is bounded: each insert
//! trims the rows that fell out of the newest [`CDR_RETENTION`], so a long-running gateway
//! never fills its disk with history; export them elsewhere if you need more.

use rusqlite::params;
use serde::Serialize;

use super::{Store, StoreError};
use crate::observe::Cdr;

/// CDRs kept; older rows are deleted as new ones arrive. At a few hundred bytes a row this
/// is some tens of megabytes, and weeks of calls at the default capacity.
pub const CDR_RETENTION: u64 = 100_000;

/// Most CDRs one [`Store::recent_cdrs`] call returns (one admin API page).
pub const MAX_CDR_PAGE: usize = 1000;

/// A stored CDR as read back: [`Cdr`] with owned strings, and the legs as the JSON they were
/// stored as (so a field added to `LegView` later shows up without a new reader).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CdrRecord {
    pub call: u64,
    pub meeting: String,
    pub source: String,
    pub started: u64,
    pub connected: Option<u64>,
    pub ended: u64,
    pub setup_ms: Option<u64>,
    pub reason: String,
    pub pin_failures: u32,
    pub audio: Option<String>,
    pub room: serde_json::Value,
    pub cloud: serde_json::Value,
}

/// SQLite integers are i64; our times and counters are u64 and never near 2^63, except the
/// call id, which is stored as its bit pattern and so round-trips exactly.
fn to_sql(v: u64) -> i64 {
    v as i64
}

fn from_sql(v: i64) -> u64 {
    v as u64
}

impl Store {
    /// Appends `cdr`, then deletes what is older than the newest [`CDR_RETENTION`] rows.
    pub fn insert_cdr(&self, cdr: &Cdr) -> Result<(), StoreError> {
        self.insert_cdr_keeping(cdr, CDR_RETENTION)
    }

    /// As [`Store::insert_cdr`], keeping `keep` rows. The trim is one range delete on the
    /// rowid, so it costs one index seek per insert however large the table is.
    pub(crate) fn insert_cdr_keeping(&self, cdr: &Cdr, keep: u64) -> Result<(), StoreError> {
        self.insert_cdrs_keeping(std::slice::from_ref(cdr), keep)
    }

    /// Appends `cdrs` in one transaction (one commit, one trim). Under load the CDR writer
    /// hands over everything queued at once: a commit per call would hold the store's lock
    /// (which meeting lookups share) for a disk sync per call.
    pub fn insert_cdrs(&self, cdrs: &[Cdr]) -> Result<(), StoreError> {
        self.insert_cdrs_keeping(cdrs, CDR_RETENTION)
    }

    fn insert_cdrs_keeping(&self, cdrs: &[Cdr], keep: u64) -> Result<(), StoreError> {
        if cdrs.is_empty() {
            return Ok(());
        }
        let legs: Vec<(String, String)> = cdrs
            .iter()
            .map(|c| {
                (
                    serde_json::to_string(&c.room).unwrap_or_else(|_| "null".to_owned()),
                    serde_json::to_string(&c.cloud).unwrap_or_else(|_| "null".to_owned()),
                )
            })
            .collect();
        let mut conn = self.lock_cdr_writer();
        let tx = conn.transaction()?;
        let mut seq = 0;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO cdrs (call, meeting, source, started, connected, ended, setup_ms,
                                   reason, pin_failures, audio, room, cloud)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            for (cdr, (room, cloud)) in cdrs.iter().zip(&legs) {
                stmt.execute(params![
                    to_sql(cdr.call),
                    cdr.meeting,
                    cdr.source.to_string(),
                    to_sql(cdr.started),
                    cdr.connected.map(to_sql),
                    to_sql(cdr.ended),
                    cdr.setup_ms.map(to_sql),
                    cdr.reason,
                    cdr.pin_failures,
                    cdr.audio,
                    room,
                    cloud,
                ])?;
                seq = tx.last_insert_rowid();
            }
        }
        let cutoff = seq.saturating_sub(i64::try_from(keep).unwrap_or(i64::MAX));
        if cutoff > 0 {
            tx.execute("DELETE FROM cdrs WHERE seq <= ?1", [cutoff])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The newest `limit` CDRs (at most [`MAX_CDR_PAGE`]), newest first.
    pub fn recent_cdrs(&self, limit: usize) -> Result<Vec<CdrRecord>, StoreError> {
        let limit = i64::try_from(limit.min(MAX_CDR_PAGE)).unwrap_or(0);
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT call, meeting, source, started, connected, ended, setup_ms, reason,
                    pin_failures, audio, room, cloud
             FROM cdrs ORDER BY seq DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |row| {
            let leg = |i: usize| -> rusqlite::Result<serde_json::Value> {
                let text: String = row.get(i)?;
                Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
            };
            Ok(CdrRecord {
                call: from_sql(row.get(0)?),
                meeting: row.get(1)?,
                source: row.get(2)?,
                started: from_sql(row.get(3)?),
                connected: row.get::<_, Option<i64>>(4)?.map(from_sql),
                ended: from_sql(row.get(5)?),
                setup_ms: row.get::<_, Option<i64>>(6)?.map(from_sql),
                reason: row.get(7)?,
                pin_failures: row.get(8)?,
                audio: row.get(9)?,
                room: leg(10)?,
                cloud: leg(11)?,
            })
        })?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row?);
        }
        Ok(out)
    }

    /// How many CDRs are stored.
    pub fn cdr_count(&self) -> Result<u64, StoreError> {
        let conn = self.lock();
        let n: i64 = conn.query_row("SELECT COUNT(*) FROM cdrs", [], |row| row.get(0))?;
        Ok(from_sql(n))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::observe::{LegView, Qos};
    use crate::store::tests::TempDir;

    fn leg(codec: &str) -> LegView {
        LegView {
            protocol: "sip",
            state: "ended",
            peer: Some("192.0.2.1:5060".to_owned()),
            codec: Some(codec.to_owned()),
            crypto_suite: Some("AEAD_AES_256_GCM".to_owned()),
            qos: Some(Qos {
                packets_received: 500,
                packets_sent: 498,
                packets_lost: 2,
                loss_percent: 0.4,
                jitter_ms: 1.5,
                rtt_ms: Some(20.0),
                mos: 4.3,
            }),
        }
    }

    pub(crate) fn cdr(call: u64) -> Cdr {
        Cdr {
            call,
            meeting: "1000".to_owned(),
            source: "192.0.2.9".parse().unwrap(),
            started: 1_700_000_000,
            connected: Some(1_700_000_001),
            ended: 1_700_000_060,
            setup_ms: Some(850),
            reason: "room_bye".to_owned(),
            pin_failures: 1,
            audio: Some("pass-through"),
            room: leg("PCMU/8000"),
            cloud: leg("opus/48000/2"),
        }
    }

    #[test]
    fn cdrs_round_trip_newest_first() {
        let tmp = TempDir::new("cdr-round-trip");
        let store = Store::open(&tmp.data()).unwrap();
        store.insert_cdr(&cdr(1)).unwrap();
        store.insert_cdr(&cdr(u64::MAX)).unwrap();
        let got = store.recent_cdrs(10).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].call, u64::MAX);
        assert_eq!(got[1].call, 1);
        assert_eq!(got[1].source, "192.0.2.9");
        assert_eq!(got[1].setup_ms, Some(850));
        assert_eq!(got[1].audio.as_deref(), Some("pass-through"));
        assert_eq!(got[1].room["codec"], "PCMU/8000");
        assert_eq!(got[1].cloud["qos"]["packets_lost"], 2);
        assert_eq!(store.recent_cdrs(1).unwrap().len(), 1);
    }

    #[test]
    fn retention_keeps_the_newest_rows() {
        let tmp = TempDir::new("cdr-retention");
        let store = Store::open(&tmp.data()).unwrap();
        for call in 0..25 {
            store.insert_cdr_keeping(&cdr(call), 10).unwrap();
        }
        assert_eq!(store.cdr_count().unwrap(), 10);
        let got = store.recent_cdrs(MAX_CDR_PAGE + 5).unwrap();
        let calls: Vec<u64> = got.iter().map(|c| c.call).collect();
        assert_eq!(calls, (15..25).rev().collect::<Vec<_>>());
    }

    #[test]
    fn a_batch_is_stored_in_order_and_trimmed_once() {
        let tmp = TempDir::new("cdr-batch");
        let store = Store::open(&tmp.data()).unwrap();
        let batch: Vec<Cdr> = (0..25).map(cdr).collect();
        store.insert_cdrs_keeping(&batch, 10).unwrap();
        store.insert_cdrs(&[]).unwrap();
        assert_eq!(store.cdr_count().unwrap(), 10);
        let calls: Vec<u64> = store
            .recent_cdrs(50)
            .unwrap()
            .iter()
            .map(|c| c.call)
            .collect();
        assert_eq!(calls, (15..25).rev().collect::<Vec<_>>());
    }

    #[test]
    fn a_version_1_database_gains_the_cdr_table() {
        let tmp = TempDir::new("cdr-migrate");
        std::fs::create_dir_all(tmp.data()).unwrap();
        {
            let conn =
                rusqlite::Connection::open(tmp.data().join(crate::store::DB_FILE_NAME)).unwrap();
            conn.execute_batch(crate::store::MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }
        let store = Store::open(&tmp.data()).unwrap();
        store.insert_cdr(&cdr(7)).unwrap();
        assert_eq!(store.recent_cdrs(5).unwrap()[0].call, 7);
    }

    /// The SIP core looks meetings up inline: a CDR batch being committed (here held open)
    /// must not make it wait. With one shared connection the lookup blocked until the commit.
    #[test]
    fn a_meeting_lookup_does_not_wait_for_a_cdr_write() {
        let tmp = TempDir::new("cdr-no-wait");
        let store = Store::open(&tmp.data()).unwrap();
        store
            .put_meeting(&crate::store::Meeting::new(
                "4242",
                crate::store::Upstream::Echo,
            ))
            .unwrap();
        let mut writer = store.lock_cdr_writer();
        let tx = writer.transaction().unwrap();
        tx.execute(
            "INSERT INTO cdrs (call, meeting, source, started, ended, reason, pin_failures,
                               room, cloud)
             VALUES (1, '4242', '192.0.2.9', 1, 2, 'room_bye', 0, 'null', 'null')",
            [],
        )
        .unwrap();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let reader = store.clone();
        std::thread::spawn(move || {
            let found = reader.get_meeting("4242").map(|m| m.is_some());
            let _ = done_tx.send(found);
        });
        let found = done_rx
            .recv_timeout(std::time::Duration::from_secs(3))
            .expect("the lookup waited for the CDR transaction");
        assert!(found.unwrap());
        tx.commit().unwrap();
        drop(writer);
        assert_eq!(store.cdr_count().unwrap(), 1);
    }
}
