//! The relay on several cores (feature `net`): one worker thread per core, each owning a
//! share of the sessions, the sockets of its share of the port range and a relay core of its
//! own, on a single-threaded tokio runtime.
//!
//! Nothing on the packet path is shared: a worker's core is reached only from its own
//! thread (its socket tasks, its timer, and the jobs it takes from its queue), so workers
//! never wait for each other and signalling never holds anything a packet needs. Signalling
//! talks to a worker through a bounded job queue and gets the core's events back on one
//! bounded event queue shared by all workers. Which worker owns a session is written in the
//! session id ([`SessionId::shard`]); new sessions go to the worker with the most free port
//! pairs, read from gauges the workers publish after every job.
//!
//! Overload: a full job queue refuses the job (counted, the caller gets `None` and refuses
//! the call) instead of stalling signalling; a full event queue drops and counts; socket
//! receive buffers are the kernel's bounded queue, and a worker flooded on one port still
//! reads its other ports in turn (tokio's cooperative budget ends each task's run).

use std::io;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc as std_mpsc, Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};

use super::net::{NetRelay, EVENT_QUEUE};
use super::pool::PortPool;
use super::{Event, Relay, RelayConfig, RelayError, RelayStats, SessionId, StreamConfig};

/// Jobs waiting for one worker; beyond that callers are refused (see [`RelayWorkers::run`]).
pub const JOB_QUEUE: usize = 1024;
/// How long a caller retries a full job queue before giving up on it.
const QUEUE_WAIT: Duration = Duration::from_millis(50);
/// Most workers (each binds its share of the range; more than cores only adds switching).
pub const MAX_WORKERS: usize = 64;
/// Held jobs (see [`RelayWorkers::post_held`]) one worker may gather before they are sent
/// without waiting for [`RelayWorkers::release`].
pub const MAX_HELD: usize = 64;

type Job = Box<dyn FnOnce(&NetRelay) + Send>;

/// What a worker publishes for signalling to read without a round trip.
#[derive(Default)]
struct Gauges {
    sessions: AtomicUsize,
    free_pairs: AtomicUsize,
    capacity: AtomicUsize,
    max_sessions: AtomicUsize,
    send_errors: AtomicU64,
    events_dropped: AtomicU64,
    batches: AtomicU64,
    datagrams: AtomicU64,
    gso_sends: AtomicU64,
    gso_datagrams: AtomicU64,
    rtcp_bound: AtomicUsize,
    rtcp_bind_errors: AtomicU64,
}

impl Gauges {
    fn publish(&self, net: &NetRelay, relay: &Relay) {
        self.sessions
            .store(relay.session_count(), Ordering::Relaxed);
        self.free_pairs
            .store(relay.pool().available(), Ordering::Relaxed);
        self.send_errors.store(net.send_errors(), Ordering::Relaxed);
        self.events_dropped
            .store(net.events_dropped(), Ordering::Relaxed);
        let (b, d) = net.receive_batching();
        self.batches.store(b, Ordering::Relaxed);
        self.datagrams.store(d, Ordering::Relaxed);
        let (s, d) = net.send_batching();
        self.gso_sends.store(s, Ordering::Relaxed);
        self.gso_datagrams.store(d, Ordering::Relaxed);
        self.rtcp_bound
            .store(net.bound_ports().1, Ordering::Relaxed);
        self.rtcp_bind_errors
            .store(net.rtcp_bind_errors(), Ordering::Relaxed);
    }

    /// Room for one more session (pairs free and below its session limit).
    fn headroom(&self) -> usize {
        let free = self.free_pairs.load(Ordering::Relaxed);
        let below =
            self.sessions.load(Ordering::Relaxed) < self.max_sessions.load(Ordering::Relaxed);
        if below {
            free
        } else {
            0
        }
    }
}

struct Worker {
    gauges: Arc<Gauges>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// The workers' job queues, shared with jobs that hand work on to another worker (a new
/// session placed where there is room). Jobs hold it weakly, so dropping [`RelayWorkers`]
/// still closes every queue.
#[derive(Default)]
struct Queues {
    jobs: Vec<mpsc::Sender<Job>>,
    gauges: Vec<Arc<Gauges>>,
    refused: AtomicU64,
}

impl Queues {
    /// Workers by room for one more session, most first.
    fn by_headroom(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.jobs.len()).collect();
        order.sort_by_key(|&k| std::cmp::Reverse(self.gauges.get(k).map_or(0, |g| g.headroom())));
        order
    }
}

/// An answer given exactly once: by the job, or as [`RelayError::Overloaded`] when the job
/// is dropped without running (its worker stopped), so a caller waiting on it never waits
/// forever.
struct Reply<T>(Option<Answer<T>>);

type Answer<T> = Box<dyn FnOnce(Result<T, RelayError>) + Send>;
/// What a placement does with its session once made, on the worker that made it.
type Then<T> = Box<dyn FnOnce(&mut Relay, SessionId) -> T + Send>;

impl<T> Reply<T> {
    fn send(mut self, r: Result<T, RelayError>) {
        if let Some(f) = self.0.take() {
            f(r);
        }
    }
}

impl<T> Drop for Reply<T> {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            f(Err(RelayError::Overloaded));
        }
    }
}

/// A new session on its way to a worker with room: tried on each worker in turn (by the
/// headroom seen when it started) until one takes it.
struct Placement<T> {
    streams: Vec<StreamConfig>,
    then: Then<T>,
    reply: Reply<(SessionId, T)>,
    order: std::vec::IntoIter<usize>,
    last: RelayError,
}

impl<T: Send + 'static> Placement<T> {
    /// Posts the placement to the next worker whose queue has room; answers with the last
    /// refusal when none is left.
    fn go(mut self, queues: Weak<Queues>) {
        let Some(q) = queues.upgrade() else {
            return self.reply.send(Err(RelayError::Overloaded));
        };
        while let Some(k) = self.order.next() {
            // The job owns the placement only once the queue has taken it: a permit first.
            let Some(Ok(permit)) = q.jobs.get(k).map(mpsc::Sender::try_reserve) else {
                q.refused.fetch_add(1, Ordering::Relaxed);
                self.last = RelayError::Overloaded;
                continue;
            };
            let gauges = q.gauges.get(k).cloned();
            let weak = queues.clone();
            permit.send(Box::new(move |net: &NetRelay| self.make(net, gauges, weak)));
            return;
        }
        let last = self.last;
        self.reply.send(Err(last));
    }

    /// On the worker that took it: the session made here, or the placement handed on to
    /// the next worker when this one is out of sessions or ports.
    fn make(self, net: &NetRelay, gauges: Option<Arc<Gauges>>, queues: Weak<Queues>) {
        let Placement {
            streams,
            then,
            reply,
            order,
            ..
        } = self;
        let made = net.with_relay(|r, now| match r.add_session(now, &streams) {
            Ok(id) => Ok((id, then(r, id))),
            Err(e) => Err((e, then)),
        });
        if let Some(g) = gauges {
            net.inspect(|relay| g.publish(net, relay));
        }
        match made {
            Ok(done) => reply.send(Ok(done)),
            Err((e @ (RelayError::TooManySessions | RelayError::PortsExhausted), then)) => {
                Placement {
                    streams,
                    then,
                    reply,
                    order,
                    last: e,
                }
                .go(queues)
            }
            Err((e, _)) => reply.send(Err(e)),
        }
    }
}

/// Totals over every worker, from their gauges (no round trip).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkerTotals {
    /// Workers running.
    pub workers: usize,
    /// Live sessions.
    pub sessions: usize,
    /// Free port pairs.
    pub free_pairs: usize,
    /// Port pairs in all.
    pub capacity: usize,
    /// Datagrams the sockets could not send.
    pub send_errors: u64,
    /// Core events dropped on a full event queue.
    pub events_dropped: u64,
    /// Jobs refused on a full job queue.
    pub jobs_refused: u64,
    /// Socket reads, and the datagrams they returned.
    pub batches: u64,
    /// See `batches`.
    pub datagrams: u64,
    /// GSO sends, and the datagrams they carried.
    pub gso_sends: u64,
    /// See `gso_sends`.
    pub gso_datagrams: u64,
    /// RTCP ports bound now (legs without rtcp-mux; RTP ports are bound at start).
    pub rtcp_bound: usize,
    /// RTCP ports a leg without mux needed that could not be bound.
    pub rtcp_bind_errors: u64,
}

/// The relay split over worker threads.
pub struct RelayWorkers {
    workers: Vec<Worker>,
    queues: Arc<Queues>,
    events: Mutex<Option<mpsc::Receiver<Event>>>,
    /// Jobs posted with [`post_held`](Self::post_held) and not sent yet, per worker.
    held: Mutex<Vec<Vec<Job>>>,
}

impl std::fmt::Debug for RelayWorkers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayWorkers")
            .field("workers", &self.workers.len())
            .finish_non_exhaustive()
    }
}

/// The configuration of worker `k` of `n`: its slice of the port range, its share of the
/// session limit, its own random seed and session-id share.
fn worker_config(cfg: &RelayConfig, k: usize, n: usize) -> RelayConfig {
    let pool = PortPool::new(cfg.port_min, cfg.port_max);
    let pairs = pool.capacity();
    let per = pairs / n;
    let first_pair = per * k;
    let my_pairs = if k + 1 == n { pairs - first_pair } else { per };
    let first = usize::from(pool.base()) + 2 * first_pair;
    let last = first + 2 * my_pairs;
    let sessions = cfg.max_sessions / n + usize::from(k < cfg.max_sessions % n);
    RelayConfig {
        port_min: u16::try_from(first).unwrap_or(u16::MAX),
        port_max: u16::try_from(last.saturating_sub(1)).unwrap_or(u16::MAX),
        max_sessions: sessions,
        // Distinct SSRCs and sequence starts per worker (splitmix64's odd constant).
        ssrc_seed: cfg
            .ssrc_seed
            .wrapping_add((k as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        shard: u32::try_from(k).unwrap_or(0),
        shards: u32::try_from(n).unwrap_or(1),
        ..cfg.clone()
    }
}

impl RelayWorkers {
    /// Starts `workers` threads (at least 1, at most [`MAX_WORKERS`] and the number of port
    /// pairs), each binding its share of `cfg`'s ports on `ip`. Any bind failure stops them
    /// all and is returned.
    pub async fn start(
        ip: IpAddr,
        now: Instant,
        cfg: RelayConfig,
        workers: usize,
    ) -> io::Result<Self> {
        let pairs = PortPool::new(cfg.port_min, cfg.port_max).capacity();
        let n = workers.clamp(1, MAX_WORKERS).min(pairs.max(1));
        let (events_tx, events_rx) = mpsc::channel(EVENT_QUEUE);
        let mut started = Vec::with_capacity(n);
        let mut queues = Queues::default();
        let mut ready = Vec::with_capacity(n);
        for k in 0..n {
            let wcfg = worker_config(&cfg, k, n);
            let gauges = Arc::new(Gauges::default());
            gauges
                .max_sessions
                .store(wcfg.max_sessions, Ordering::Relaxed);
            let (jobs_tx, jobs_rx) = mpsc::channel::<Job>(JOB_QUEUE);
            let (up_tx, up_rx) = oneshot::channel();
            let events = events_tx.clone();
            let g = gauges.clone();
            let thread = std::thread::Builder::new()
                .name(format!("relay-{k}"))
                .spawn(move || worker_main(ip, now, wcfg, events, jobs_rx, g, up_tx))?;
            queues.jobs.push(jobs_tx);
            queues.gauges.push(gauges.clone());
            started.push(Worker {
                gauges,
                thread: Some(thread),
            });
            ready.push(up_rx);
        }
        let this = Self {
            workers: started,
            queues: Arc::new(queues),
            events: Mutex::new(Some(events_rx)),
            held: Mutex::new((0..n).map(|_| Vec::new()).collect()),
        };
        for up in ready {
            match up.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err(io::Error::other("a relay worker stopped while starting")),
            }
        }
        Ok(this)
    }

    /// Number of workers.
    pub fn workers(&self) -> usize {
        self.workers.len()
    }

    /// The events of every worker, for one consumer; later calls get `None`.
    pub fn take_events(&self) -> Option<mpsc::Receiver<Event>> {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Runs `f` on the core that owns `session`, on that worker's thread, and waits for its
    /// result. `None` when the worker's queue stayed full (overload) or it has stopped.
    pub fn run<R: Send + 'static>(
        &self,
        session: SessionId,
        f: impl FnOnce(&mut Relay, Instant) -> R + Send + 'static,
    ) -> Option<R> {
        let k = session.shard(u32::try_from(self.workers.len()).unwrap_or(1));
        self.run_on(k, move |net| net.with_relay(f))
    }

    /// Runs `f` with worker `k`'s socket layer (e.g. to play a frame and send it from there).
    pub fn run_on<R: Send + 'static>(
        &self,
        k: usize,
        f: impl FnOnce(&NetRelay) -> R + Send + 'static,
    ) -> Option<R> {
        let gauges = self.workers.get(k)?.gauges.clone();
        let (tx, rx) = std_mpsc::sync_channel(1);
        if !self.enqueue(
            k,
            move |net| {
                let r = f(net);
                // Before the answer: a caller reading the gauges next sees its own change.
                net.inspect(|relay| gauges.publish(net, relay));
                let _ = tx.send(r);
            },
            QUEUE_WAIT,
        ) {
            return None;
        }
        // The worker runs every job it took (it never blocks), so this wait is as long as
        // the packets ahead of the job in its loop; `Err` means the worker is gone.
        rx.recv().ok()
    }

    /// Queues `f` for worker `k`'s socket layer without waiting for it; `false` (counted in
    /// [`WorkerTotals::jobs_refused`]) when the queue is full or the worker stopped.
    pub fn post_on(&self, k: usize, f: impl FnOnce(&NetRelay) + Send + 'static) -> bool {
        self.enqueue(k, self.publishing(k, f), Duration::ZERO)
    }

    /// As [`post_on`](Self::post_on), retrying a full queue as long as [`run`](Self::run)
    /// would (for jobs that must not be lost lightly, such as a session's removal).
    pub fn post_patiently(&self, k: usize, f: impl FnOnce(&NetRelay) + Send + 'static) -> bool {
        self.enqueue(k, self.publishing(k, f), QUEUE_WAIT)
    }

    /// `f`, then worker `k`'s gauges published.
    fn publishing(
        &self,
        k: usize,
        f: impl FnOnce(&NetRelay) + Send + 'static,
    ) -> impl FnOnce(&NetRelay) + Send + 'static {
        let gauges = self.workers.get(k).map(|w| w.gauges.clone());
        move |net| {
            f(net);
            if let Some(g) = gauges {
                net.inspect(|relay| g.publish(net, relay));
            }
        }
    }

    /// As [`post_patiently`](Self::post_patiently), but held until [`release`](Self::release)
    /// (or until [`MAX_HELD`] gather for the worker): the jobs a burst of signalling posts to
    /// one worker then go as one, and wake it once. Waking an idle worker is a write to its
    /// event fd and a cross-core wake-up, which cost the SIP core more per call than the jobs
    /// themselves. A job for worker `k` sent any other way goes after the jobs held for it,
    /// so a worker takes its jobs in the order given. The jobs are dropped unrun if the
    /// worker's queue stays full when they are sent (counted as refused).
    pub fn post_held(&self, k: usize, f: impl FnOnce(&NetRelay) + Send + 'static) {
        self.hold(k, Box::new(self.publishing(k, f)));
    }

    fn hold(&self, k: usize, job: Job) {
        let full = {
            let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
            let Some(jobs) = held.get_mut(k) else {
                self.queues.refused.fetch_add(1, Ordering::Relaxed);
                return;
            };
            jobs.push(job);
            jobs.len() >= MAX_HELD
        };
        if full {
            self.send_held(k);
        }
    }

    /// Sends every worker's held jobs, one job per worker that has any.
    pub fn release(&self) {
        for k in 0..self.workers.len() {
            self.send_held(k);
        }
    }

    /// Sends worker `k`'s held jobs as one job.
    fn send_held(&self, k: usize) {
        let jobs = {
            let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
            match held.get_mut(k) {
                Some(jobs) if !jobs.is_empty() => std::mem::take(jobs),
                _ => return,
            }
        };
        let n = jobs.len() as u64;
        let batch = move |net: &NetRelay| {
            for job in jobs {
                job(net);
            }
        };
        if !self.send(k, Box::new(batch), QUEUE_WAIT) {
            // `send` counted one refusal; the batch held `n` jobs.
            self.queues
                .refused
                .fetch_add(n.saturating_sub(1), Ordering::Relaxed);
        }
    }

    fn enqueue(
        &self,
        k: usize,
        f: impl FnOnce(&NetRelay) + Send + 'static,
        patience: Duration,
    ) -> bool {
        self.send_held(k);
        self.send(k, Box::new(f), patience)
    }

    fn send(&self, k: usize, mut job: Job, patience: Duration) -> bool {
        let Some(w) = self.queues.jobs.get(k) else {
            return false;
        };
        let deadline = Instant::now() + patience;
        loop {
            match w.try_send(job) {
                Ok(()) => return true,
                Err(mpsc::error::TrySendError::Full(j)) if Instant::now() < deadline => {
                    job = j;
                    std::thread::sleep(Duration::from_micros(200));
                }
                Err(_) => {
                    self.queues.refused.fetch_add(1, Ordering::Relaxed);
                    return false;
                }
            }
        }
    }

    /// Creates a session on the worker with the most room; the others are tried in turn if
    /// that one is out of ports or sessions.
    pub fn add_session(&self, streams: Vec<StreamConfig>) -> Result<SessionId, RelayError> {
        self.add_session_with(streams, |_, _| ()).map(|(id, ())| id)
    }

    /// As [`add_session`](Self::add_session), then `then` on the new session in the same job
    /// (e.g. reading its ports without another round trip). Waits for
    /// [`add_session_async`](Self::add_session_async)'s answer, which always comes.
    pub fn add_session_with<T: Send + 'static>(
        &self,
        streams: Vec<StreamConfig>,
        then: impl FnOnce(&mut Relay, SessionId) -> T + Send + 'static,
    ) -> Result<(SessionId, T), RelayError> {
        let (tx, rx) = std_mpsc::sync_channel(1);
        self.add_session_async(streams, then, move |r| {
            let _ = tx.send(r);
        });
        rx.recv().unwrap_or(Err(RelayError::Overloaded))
    }

    /// Creates a session on the worker with the most room without waiting: the placement
    /// goes from worker to worker on their own threads (a worker out of ports or sessions
    /// hands it on, a full queue is skipped and counted), and `done` gets its result there,
    /// exactly once ([`RelayError::Overloaded`] when no worker's queue had room, or the
    /// worker holding the job stopped). Signalling that must not wait for a worker uses this.
    pub fn add_session_async<T: Send + 'static>(
        &self,
        streams: Vec<StreamConfig>,
        then: impl FnOnce(&mut Relay, SessionId) -> T + Send + 'static,
        done: impl FnOnce(Result<(SessionId, T), RelayError>) + Send + 'static,
    ) {
        Placement {
            streams,
            then: Box::new(then),
            reply: Reply(Some(Box::new(done))),
            order: self.queues.by_headroom().into_iter(),
            last: RelayError::TooManySessions,
        }
        .go(Arc::downgrade(&self.queues));
    }

    /// As [`add_session_async`](Self::add_session_async), the placement held for the
    /// worker with the most room like [`post_held`](Self::post_held)'s jobs (the signalling
    /// loop's placements wake each worker once per pass). A placement whose held job is
    /// dropped unrun (the queue stayed full) answers [`RelayError::Overloaded`].
    pub fn add_session_held<T: Send + 'static>(
        &self,
        streams: Vec<StreamConfig>,
        then: impl FnOnce(&mut Relay, SessionId) -> T + Send + 'static,
        done: impl FnOnce(Result<(SessionId, T), RelayError>) + Send + 'static,
    ) {
        let mut order = self.queues.by_headroom().into_iter();
        let placement = |order| Placement {
            streams,
            then: Box::new(then),
            reply: Reply(Some(Box::new(done))),
            order,
            last: RelayError::TooManySessions,
        };
        let Some(k) = order.next() else {
            return placement(order).go(Arc::downgrade(&self.queues));
        };
        let placement = placement(order);
        let queues = Arc::downgrade(&self.queues);
        let gauges = self.queues.gauges.get(k).cloned();
        self.hold(
            k,
            Box::new(move |net: &NetRelay| placement.make(net, gauges, queues)),
        );
    }

    /// Runs `f` on every worker's core and collects the results (worker order).
    pub fn each<R: Send + 'static>(
        &self,
        f: impl Fn(&mut Relay, Instant) -> R + Send + Sync + 'static,
    ) -> Vec<R> {
        let f = Arc::new(f);
        (0..self.workers.len())
            .filter_map(|k| {
                let f = f.clone();
                self.run_on(k, move |net| net.with_relay(|r, now| f(r, now)))
            })
            .collect()
    }

    /// The relay-wide counters summed over workers.
    pub fn stats(&self) -> RelayStats {
        self.each(|r, _| *r.stats())
            .into_iter()
            .fold(RelayStats::default(), |a, b| a.merged(&b))
    }

    /// Sessions, ports and counters from the workers' gauges, without a round trip.
    pub fn totals(&self) -> WorkerTotals {
        let mut t = WorkerTotals {
            workers: self.workers.len(),
            jobs_refused: self.queues.refused.load(Ordering::Relaxed),
            ..WorkerTotals::default()
        };
        for w in &self.workers {
            let g = &w.gauges;
            t.sessions += g.sessions.load(Ordering::Relaxed);
            t.free_pairs += g.free_pairs.load(Ordering::Relaxed);
            t.capacity += g.capacity.load(Ordering::Relaxed);
            t.send_errors += g.send_errors.load(Ordering::Relaxed);
            t.events_dropped += g.events_dropped.load(Ordering::Relaxed);
            t.batches += g.batches.load(Ordering::Relaxed);
            t.datagrams += g.datagrams.load(Ordering::Relaxed);
            t.gso_sends += g.gso_sends.load(Ordering::Relaxed);
            t.gso_datagrams += g.gso_datagrams.load(Ordering::Relaxed);
            t.rtcp_bound += g.rtcp_bound.load(Ordering::Relaxed);
            t.rtcp_bind_errors += g.rtcp_bind_errors.load(Ordering::Relaxed);
        }
        t
    }
}

impl Drop for RelayWorkers {
    fn drop(&mut self) {
        // What was held (a session's removal) still runs before the workers stop.
        self.release();
        // Closing the job queues ends each worker's loop; its runtime then drops its tasks
        // and sockets. Joining makes the ports free again before we return.
        let threads: Vec<_> = self
            .workers
            .iter_mut()
            .filter_map(|w| w.thread.take())
            .collect();
        self.workers.clear();
        // Jobs in flight hold the queues only weakly: this closes them.
        self.queues = Arc::new(Queues::default());
        for t in threads {
            let _ = t.join();
        }
    }
}

/// One worker: its runtime, its sockets, its jobs.
fn worker_main(
    ip: IpAddr,
    now: Instant,
    cfg: RelayConfig,
    events: mpsc::Sender<Event>,
    mut jobs: mpsc::Receiver<Job>,
    gauges: Arc<Gauges>,
    up: oneshot::Sender<io::Result<()>>,
) {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = up.send(Err(e));
            return;
        }
    };
    rt.block_on(async move {
        let relay = Relay::new(now, cfg);
        let net = match NetRelay::bind_with_events(ip, relay, events).await {
            Ok(n) => n,
            Err(e) => {
                let _ = up.send(Err(e));
                return;
            }
        };
        net.inspect(|relay| {
            gauges
                .capacity
                .store(relay.pool().capacity(), Ordering::Relaxed);
            gauges.publish(&net, relay);
        });
        if up.send(Ok(())).is_err() {
            return;
        }
        while let Some(job) = jobs.recv().await {
            job(&net);
        }
    });
}
