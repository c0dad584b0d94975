//! What a run reports, the latency histogram behind its percentiles, and the relay's CPU time
//! (from `/proc`), which makes "packets per relay CPU-second" a figure that stays meaningful
//! when the generator and the relay share cores.

use std::fmt;
use std::net::SocketAddr;

use serde::Serialize;

/// Values below this are exact (microseconds).
const EXACT: u64 = 64;
/// Sub-buckets per power of two above [`EXACT`]: about 3 % resolution.
const SUB_BITS: u32 = 5;
/// Largest power of two kept apart (2^40 µs, about 12 days); larger values share its buckets.
const MAX_MSB: u32 = 40;
const BUCKETS: usize = EXACT as usize + ((MAX_MSB - 5) as usize) * (1 << SUB_BITS);

/// A log-linear histogram of microseconds: fixed size whatever the run's length.
#[derive(Debug, Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; BUCKETS],
            total: 0,
            max: 0,
        }
    }
}

fn bucket(v: u64) -> usize {
    if v < EXACT {
        return v as usize;
    }
    let msb = (63 - v.leading_zeros()).min(MAX_MSB);
    let v = v.min((1u64 << (MAX_MSB + 1)) - 1);
    let shift = msb - SUB_BITS;
    let sub = (v >> shift) as usize - (1 << SUB_BITS);
    EXACT as usize + (msb as usize - 6) * (1 << SUB_BITS) + sub
}

/// The largest value of bucket `i`.
fn upper(i: usize) -> u64 {
    if i < EXACT as usize {
        return i as u64;
    }
    let j = i - EXACT as usize;
    let msb = (j >> SUB_BITS) as u32 + 6;
    let sub = (j & ((1 << SUB_BITS) - 1)) as u64 + (1 << SUB_BITS);
    ((sub + 1) << (msb - SUB_BITS)) - 1
}

impl Histogram {
    pub fn record(&mut self, us: u64) {
        if let Some(c) = self.counts.get_mut(bucket(us)) {
            *c += 1;
        }
        self.total += 1;
        self.max = self.max.max(us);
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    /// The value at quantile `q` (0..=1), as its bucket's upper bound (never understated);
    /// 0 when empty.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return upper(i).min(self.max);
            }
        }
        self.max
    }
}

/// Latency percentiles, microseconds.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Latency {
    pub p50_us: u64,
    pub p99_us: u64,
    pub p999_us: u64,
    pub max_us: u64,
}

impl Latency {
    pub fn of(h: &Histogram) -> Latency {
        Latency {
            p50_us: h.quantile(0.5),
            p99_us: h.quantile(0.99),
            p999_us: h.quantile(0.999),
            max_us: h.max,
        }
    }
}

/// One run: N calls, both directions, for S seconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub mode: String,
    pub calls: u32,
    pub streams: u32,
    pub seconds: f64,
    pub pps_per_stream: u32,
    pub payload: usize,
    /// Packets due by the schedule.
    pub offered: u64,
    /// Put on the wire.
    pub sent: u64,
    /// Due but not sent: the generator was more than a packet period late, or its socket
    /// buffer was full. Not relay loss.
    pub not_placed: u64,
    pub send_errors: u64,
    /// Distinct packets that came back intact.
    pub delivered: u64,
    /// Sent but never delivered intact (corrupted ones included).
    pub lost: u64,
    pub duplicates: u64,
    /// Decrypted (or plain) but not what was sent.
    pub corrupted: u64,
    /// Failed SRTP authentication or decryption.
    pub undecryptable: u64,
    /// RTCP from the relay, set aside.
    pub rtcp: u64,
    pub offered_pps: f64,
    pub delivered_pps: f64,
    /// Lost packets as a percentage of those sent.
    pub loss_pct: f64,
    pub latency: Latency,
    /// The relay's user+system CPU time during the traffic, when its process is known.
    pub relay_cpu_s: Option<f64>,
    pub relay_pid: Option<u32>,
    /// Delivered packets per second of relay CPU time.
    pub pkts_per_relay_cpu_s: Option<f64>,
    /// Of the relay's CPU time, what the kernel spent on its behalf (its socket calls, and on
    /// loopback the delivery of what it sends)…
    pub relay_sys_s: Option<f64>,
    /// …and delivered packets per second of that alone: the most a relay making the same
    /// socket calls could reach if its own code cost nothing.
    pub pkts_per_relay_sys_s: Option<f64>,
    /// The relay's resident memory (KiB) before this run set up its calls…
    pub relay_rss_before_kib: Option<u64>,
    /// …and with all of them set up and carrying media, at the end of the traffic.
    pub relay_rss_kib: Option<u64>,
    /// The growth between the two per call (bytes): what a call with its media costs the
    /// relay, buffers, crypto contexts and allocator slack included.
    pub relay_rss_per_call_bytes: Option<u64>,
    /// The relay's open descriptors before this run set up its calls, and with them set up:
    /// what a call costs against the file limit (two sockets a call with rtcp-mux, four
    /// without, on our relay).
    pub relay_fds_before: Option<u64>,
    pub relay_fds: Option<u64>,
    /// Calls the relay confirmed deleted at the end.
    pub deleted: u32,
    /// Of our calls, how many the relay still listed after the deletes (`None`: no `list`).
    pub still_listed: Option<usize>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "mode={} calls={} streams={} s={:.1} offered={} sent={} not_placed={} send_errors={} \
delivered={} lost={} dup={} corrupted={} undecryptable={} rtcp={} offered_pps={:.0} \
delivered_pps={:.0} loss={:.3}% p50_us={} p99_us={} p999_us={} max_us={}",
            self.mode,
            self.calls,
            self.streams,
            self.seconds,
            self.offered,
            self.sent,
            self.not_placed,
            self.send_errors,
            self.delivered,
            self.lost,
            self.duplicates,
            self.corrupted,
            self.undecryptable,
            self.rtcp,
            self.offered_pps,
            self.delivered_pps,
            self.loss_pct,
            self.latency.p50_us,
            self.latency.p99_us,
            self.latency.p999_us,
            self.latency.max_us,
        )?;
        match (self.relay_cpu_s, self.pkts_per_relay_cpu_s) {
            (Some(cpu), Some(per)) => {
                write!(f, " relay_cpu_s={cpu:.2} pkts_per_relay_cpu_s={per:.0}")?
            }
            (Some(cpu), None) => write!(f, " relay_cpu_s={cpu:.2}")?,
            _ => {}
        }
        if let (Some(sys), Some(per)) = (self.relay_sys_s, self.pkts_per_relay_sys_s) {
            write!(f, " relay_sys_s={sys:.2} pkts_per_relay_sys_s={per:.0}")?;
        }
        if let (Some(rss), Some(per)) = (self.relay_rss_kib, self.relay_rss_per_call_bytes) {
            write!(f, " relay_rss_kib={rss} relay_rss_per_call_bytes={per}")?;
        }
        if let (Some(before), Some(with)) = (self.relay_fds_before, self.relay_fds) {
            write!(f, " relay_fds_before={before} relay_fds={with}")?;
        }
        write!(f, " deleted={}/{}", self.deleted, self.calls)?;
        if let Some(n) = self.still_listed {
            write!(f, " still_listed={n}")?;
        }
        Ok(())
    }
}

/// Linux reports process times in USER_HZ ticks, 100 per second on every architecture the
/// kernel's ABI covers (`sysconf(_SC_CLK_TCK)`; reading it would need `unsafe`).
const TICKS_PER_S: f64 = 100.0;

/// User + system CPU seconds of process `pid` (all its threads), or `None`.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    cpu_times(pid).map(|(user, system)| user + system)
}

/// User and system (kernel) CPU seconds of process `pid` so far.
pub fn cpu_times(pid: u32) -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields count from the last ')'.
    let rest = stat.get(stat.rfind(')')? + 1..)?;
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime as f64 / TICKS_PER_S, stime as f64 / TICKS_PER_S))
}

/// Resident memory of process `pid` in KiB (`VmRSS` of `/proc/PID/status`), or `None`.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Open descriptors of process `pid`, or `None` when not visible to us.
pub fn fd_count(pid: u32) -> Option<u64> {
    let n = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count();
    u64::try_from(n).ok()
}

/// The process bound to UDP `addr` (the relay's ng socket), found through `/proc/net/udp*`
/// and the processes' descriptors; `None` when not visible to us.
pub fn pid_of_udp(addr: SocketAddr) -> Option<u32> {
    let inode = socket_inode(addr)?;
    let target = format!("socket:[{inode}]");
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if std::fs::read_link(fd.path()).is_ok_and(|l| l.to_str() == Some(target.as_str())) {
                return Some(pid);
            }
        }
    }
    None
}

fn socket_inode(addr: SocketAddr) -> Option<u64> {
    let port = format!(":{:04X}", addr.port());
    for table in ["/proc/net/udp", "/proc/net/udp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(inode)) = (cols.get(1), cols.get(9)) else {
                continue;
            };
            if local.ends_with(&port) {
                if let Ok(i) = inode.parse() {
                    return Some(i);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_quantiles_are_within_a_bucket_and_never_understated() {
        let mut h = Histogram::default();
        for v in 1..=1000u64 {
            h.record(v);
        }
        for (q, want) in [(0.5, 500u64), (0.99, 990), (0.999, 999)] {
            let got = h.quantile(q);
            assert!(
                got >= want && got <= want + want / 16,
                "q{q}: {got} for {want}"
            );
        }
        assert_eq!(h.quantile(1.0), 1000);
        h.record(u64::MAX);
        assert_eq!(h.count(), 1001);
        assert_eq!(Histogram::default().quantile(0.99), 0);
        for v in [0, 63, 64, 65, 1000, 1 << 20, (1 << 41) - 1] {
            assert!(upper(bucket(v)) >= v, "{v}");
            assert!(bucket(v) < BUCKETS, "{v}");
        }
    }

    #[test]
    fn our_own_cpu_time_and_socket_are_found_in_proc() {
        let before = cpu_seconds(std::process::id()).unwrap();
        // Burn CPU until /proc shows 50 ms more of it (however loaded the machine is).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let mut x = 0u64;
        let after = loop {
            for _ in 0..100_000 {
                x = x.wrapping_add(std::hint::black_box(1));
            }
            let now = cpu_seconds(std::process::id()).unwrap();
            if now >= before + 0.05 {
                break now;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "CPU time stuck at {now}"
            );
        };
        assert!(x > 0 && after < before + 20.0, "{before} -> {after}");
        // The kernel's share grows with system calls: 50 ms more of it from sockets.
        let (user0, sys0) = cpu_times(std::process::id()).unwrap();
        let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let to = sock.local_addr().unwrap();
        let sys = loop {
            for _ in 0..1000 {
                let _ = sock.send_to(&[0u8; 64], to);
                let _ = sock.recv_from(&mut [0u8; 64]);
            }
            let (_, sys) = cpu_times(std::process::id()).unwrap();
            if sys >= sys0 + 0.05 {
                break sys;
            }
            assert!(
                std::time::Instant::now() < deadline + std::time::Duration::from_secs(20),
                "system time stuck at {sys}"
            );
        };
        let (user1, _) = cpu_times(std::process::id()).unwrap();
        assert!(
            user1 >= user0 && sys > sys0,
            "{user0}/{sys0} -> {user1}/{sys}"
        );
        let rss = rss_kib(std::process::id()).unwrap();
        // Touch 8 MiB: resident memory must show at least most of it.
        let block = std::hint::black_box(vec![1u8; 8 << 20]);
        let grown = rss_kib(std::process::id()).unwrap();
        assert!(grown >= rss + 6 * 1024, "{rss} -> {grown} KiB");
        drop(block);
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        assert_eq!(
            pid_of_udp(s.local_addr().unwrap()),
            Some(std::process::id())
        );
    }
}
