//! The `roomgate` command.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use roomgate::decode::{decode, Format};

/// mimalloc instead of glibc malloc: under call load glibc's malloc/free
/// (with its consolidation of freed chunks) was about a fifth of the SIP
/// core thread's samples; the measurements are in README "Load".
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "roomgate",
    version,
    about = "SIP/H.323 interoperability gateway and media bridge"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the gateway (embedded defaults when no configuration file is given).
    Serve {
        /// TOML configuration file.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Check a configuration as `serve` would read it (embedded defaults when no file is
    /// given): print what would listen where and which store would open; exit 1 listing every
    /// problem when `serve` would not start.
    Check {
        /// TOML configuration file.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Decode one message and print it as JSON; exit 1 with the fault on stderr when it does
    /// not parse and validate.
    Decode {
        /// What the input is.
        #[arg(long = "as", value_enum)]
        format: Format,
        /// The file to read; `-` or nothing reads standard input.
        file: Option<PathBuf>,
    },
    /// Add, list and remove meetings in the store.
    Meeting {
        #[command(subcommand)]
        command: roomgate::cli_meeting::MeetingCommand,
    },
    /// List and clear wrong-PIN meeting locks and source blocks.
    Lockout {
        #[command(subcommand)]
        command: roomgate::cli_lockout::LockoutCommand,
    },
    /// Place H.323 calls at a fixed rate (fastStart, tunnelled H.245, no media), each held
    /// then released, and report how they ended: the H.323 side of `scripts/load.sh`. Exit 1
    /// when any call did not connect.
    H323Load {
        /// The gateway's H.323 listener, e.g. 127.0.0.1:1720.
        #[arg(long)]
        to: std::net::SocketAddr,
        /// The meeting dialled.
        #[arg(long)]
        meeting: String,
        /// Calls per second.
        #[arg(long, default_value_t = 10)]
        rate: u32,
        /// How long to place calls.
        #[arg(long, default_value_t = 10)]
        seconds: u32,
        /// How long each connected call is held.
        #[arg(long, default_value_t = 1000)]
        hold_ms: u64,
        /// How long a call may take to connect.
        #[arg(long, default_value_t = 10)]
        timeout_s: u64,
    },
    /// Load any relay that speaks rtpengine's ng protocol (ours under `serve` with
    /// `[ng] listen`, or rtpengine): set up calls by offer/answer, send both directions of
    /// each at a fixed rate (plain, SRTP re-encrypted, or AEAD-GCM), verify every payload,
    /// and report offered and delivered packets/s, loss, latency percentiles and the relay's
    /// CPU time. `--sweep` finds the most calls with p99 under 10 ms and loss under 0.1 %.
    /// Exit 1 when a payload came back corrupted or (without `--sweep`) loss reached 0.1 %.
    BenchRelay {
        /// The relay's ng socket, e.g. 127.0.0.1:22222.
        #[arg(long)]
        ng: std::net::SocketAddr,
        /// Calls (each two streams); a sweep's first step.
        #[arg(long, default_value_t = 100)]
        calls: u32,
        /// How long to send.
        #[arg(long, default_value_t = 5)]
        seconds: u32,
        /// Packets per second of each stream.
        #[arg(long, default_value_t = 50)]
        pps_per_stream: u32,
        /// RTP payload bytes.
        #[arg(long, default_value_t = 160)]
        payload: usize,
        #[arg(long, value_enum, default_value_t = roomgate::bench_relay::Mode::Plain)]
        mode: roomgate::bench_relay::Mode,
        /// Both endpoints offer and answer rtcp-mux (RFC 5761): RTCP on the RTP port, and on
        /// our relay one socket per leg instead of two.
        #[arg(long)]
        rtcp_mux: bool,
        /// The relay's process ID, for its CPU time (default: the process holding the ng
        /// port, when visible).
        #[arg(long)]
        relay_pid: Option<u32>,
        /// Step the number of calls up (doubling, then bisecting) to the highest passing.
        #[arg(long)]
        sweep: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Control room systems over their SSH consoles: add, list, remove, dial, hangup,
    /// status, exec.
    Endpoint {
        #[command(subcommand)]
        command: roomgate::endpoint::cli::EndpointCommand,
    },
}

fn endpoint(command: roomgate::endpoint::cli::EndpointCommand) -> ExitCode {
    if command.reads_passphrase() && std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprintln!("roomgate: reading the key passphrase from standard input (one line)");
    }
    let env = std::env::var_os(roomgate::cli_meeting::DATA_DIR_ENV);
    let mut stdout = std::io::stdout().lock();
    match roomgate::endpoint::cli::run(command, env, &mut std::io::stdin().lock(), &mut stdout) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("roomgate: {e}");
            ExitCode::FAILURE
        }
    }
}

fn h323_load(plan: roomgate::h323::load::LoadPlan) -> ExitCode {
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("roomgate: {e}");
            return ExitCode::FAILURE;
        }
    };
    let report = rt.block_on(roomgate::h323::load::run(plan));
    println!("{report}");
    if report.connected == report.offered {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn bench_relay(plan: roomgate::bench_relay::Plan, sweep: bool, json: bool) -> ExitCode {
    use roomgate::bench_relay as b;
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if sweep {
        let result = b::sweep(&plan, |step| {
            if !json {
                let verdict = step.reason.as_deref().unwrap_or("pass");
                // A closed pipe is not a reason to panic.
                let _ = writeln!(std::io::stdout().lock(), "step {} [{verdict}]", step.report);
            }
        });
        return match result {
            Ok(s) => {
                if json {
                    let _ = writeln!(
                        out,
                        "{}",
                        serde_json::to_string_pretty(&s).unwrap_or_default()
                    );
                } else {
                    let line = |i: Option<usize>| {
                        i.and_then(|i| s.steps.get(i))
                            .map_or("none".to_owned(), |st| st.report.to_string())
                    };
                    let _ = writeln!(out, "best {}", line(s.best));
                    let _ = writeln!(out, "overload {}", line(s.overload));
                    if let Some(why) = &s.stopped {
                        let _ = writeln!(out, "stopped early at {why}");
                    }
                }
                let corrupted = s
                    .steps
                    .iter()
                    .any(|st| st.report.corrupted + st.report.undecryptable > 0);
                if corrupted {
                    ExitCode::FAILURE
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(e) => {
                eprintln!("roomgate: {e}");
                ExitCode::FAILURE
            }
        };
    }
    match b::run(&plan) {
        Ok(r) => {
            if json {
                let _ = writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&r).unwrap_or_default()
                );
            } else {
                let _ = writeln!(out, "{r}");
            }
            if r.corrupted + r.undecryptable > 0 || r.loss_pct >= b::SWEEP_LOSS_PCT {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("roomgate: {e}");
            ExitCode::FAILURE
        }
    }
}

fn lockout(command: roomgate::cli_lockout::LockoutCommand) -> ExitCode {
    let env = std::env::var_os(roomgate::cli_meeting::DATA_DIR_ENV);
    let mut stdout = std::io::stdout().lock();
    match roomgate::cli_lockout::run(command, env, std::time::SystemTime::now(), &mut stdout) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("roomgate: {e}");
            ExitCode::FAILURE
        }
    }
}

fn meeting(command: roomgate::cli_meeting::MeetingCommand) -> ExitCode {
    if command.reads_password() && std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprintln!("roomgate: reading the password and/or PIN from standard input (one line each)");
    }
    let env = std::env::var_os(roomgate::cli_meeting::DATA_DIR_ENV);
    let mut stdout = std::io::stdout().lock();
    match roomgate::cli_meeting::run(command, env, &mut std::io::stdin().lock(), &mut stdout) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("roomgate: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(path: Option<&std::path::Path>) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ROOMGATE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let config = match path {
        Some(p) => match roomgate::config::Config::load(p) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("roomgate: {e}");
                return ExitCode::from(2);
            }
        },
        None => roomgate::config::Config::default(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.gateway.signalling_thread_count())
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("roomgate: cannot start runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(roomgate::serve::run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("roomgate: {e}");
            ExitCode::FAILURE
        }
    }
}

fn check(path: Option<&std::path::Path>) -> ExitCode {
    use std::io::Write;
    let report = roomgate::check::check(path);
    // A closed pipe (`roomgate check | head`) is not a reason to panic.
    let mut out = std::io::stdout().lock();
    for line in &report.plan {
        let _ = writeln!(out, "{line}");
    }
    if report.ok() {
        let _ = writeln!(out, "ok: serve would start with this configuration");
        return ExitCode::SUCCESS;
    }
    drop(out);
    eprintln!(
        "roomgate: serve would not start: {} problem(s)",
        report.problems.len()
    );
    for p in &report.problems {
        eprintln!("  - {}", p.replace('\n', "\n    "));
    }
    ExitCode::FAILURE
}

/// The largest input `decode` reads; more than any message format we decode allows.
const MAX_DECODE_INPUT: u64 = 1 << 20;

fn read_input(file: Option<&PathBuf>) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    match file {
        Some(path) if path.as_os_str() != "-" => {
            std::fs::File::open(path)?
                .take(MAX_DECODE_INPUT)
                .read_to_end(&mut buf)?;
        }
        _ => {
            std::io::stdin()
                .take(MAX_DECODE_INPUT)
                .read_to_end(&mut buf)?;
        }
    }
    Ok(buf)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { config } => serve(config.as_deref()),
        Command::H323Load {
            to,
            meeting,
            rate,
            seconds,
            hold_ms,
            timeout_s,
        } => h323_load(roomgate::h323::load::LoadPlan {
            to,
            meeting,
            rate,
            seconds,
            hold: std::time::Duration::from_millis(hold_ms),
            timeout: std::time::Duration::from_secs(timeout_s),
        }),
        Command::BenchRelay {
            ng,
            calls,
            seconds,
            pps_per_stream,
            payload,
            mode,
            rtcp_mux,
            relay_pid,
            sweep,
            json,
        } => bench_relay(
            roomgate::bench_relay::Plan {
                ng,
                calls,
                seconds,
                pps_per_stream,
                payload,
                mode,
                rtcp_mux,
                relay_pid,
            },
            sweep,
            json,
        ),
        Command::Check { config } => check(config.as_deref()),
        Command::Meeting { command } => meeting(command),
        Command::Lockout { command } => lockout(command),
        Command::Endpoint { command } => endpoint(command),
        Command::Decode { format, file } => {
            let input = match read_input(file.as_ref()) {
                Ok(input) => input,
                Err(e) => {
                    eprintln!("roomgate: cannot read input: {e}");
                    return ExitCode::from(2);
                }
            };
            match decode(format, &input) {
                Ok(json) => {
                    use std::io::Write;
                    let text = serde_json::to_string_pretty(&json).unwrap_or_default();
                    // A closed pipe (`roomgate decode … | head`) is not a reason to panic.
                    let _ = writeln!(std::io::stdout().lock(), "{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("roomgate: {e}");
                    ExitCode::from(e.exit_code())
                }
            }
        }
    }
}
