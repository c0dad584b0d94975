//! Kamailio (Debian's package, its rtpengine module) as the SIP proxy that drives our relay
//! over ng: `rtpengine_offer` on the INVITE, `rtpengine_answer` on the 200, `rtpengine_delete`
//! on the BYE, `rtpengine_sock` pointing at `roomgate serve`'s `[ng] listen`. sipp is the
//! caller (playing G.711 A-law RTP from a pcap) and the callee (echoing what it receives);
//! the test requires both SDPs to name the relay's ports and the relay to have carried
//! packets from both sides when the proxy deleted the call. Kamailio runs on its own free
//! loopback port with a config of this test, never the system's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{free_port, ChildGuard, ServeOptions, Server, Sipp, TempDir, LOCALHOST};

fn kamailio_bin() -> PathBuf {
    ["/usr/sbin/kamailio", "/usr/local/sbin/kamailio"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("kamailio not found: install it (Debian package `kamailio`)"))
}

/// The module directory of the installed Kamailio (the one that has rtpengine.so).
fn module_dir() -> PathBuf {
    let found = std::fs::read_dir("/usr/lib")
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("kamailio/modules"))
        .chain([PathBuf::from("/usr/lib/kamailio/modules")])
        .find(|d| d.join("rtpengine.so").is_file());
    found.unwrap_or_else(|| panic!("Kamailio's rtpengine module (rtpengine.so) is not installed"))
}

/// A minimal proxy: every INVITE's SDP through `rtpengine_offer`, every reply's through
/// `rtpengine_answer`, `rtpengine_delete` on BYE; requests go where their Request-URI says.
fn config(sip: SocketAddr, ng: SocketAddr, modules: &Path) -> String {
    format!(
        r#"#!KAMAILIO
debug=2
log_stderror=yes
fork=yes
children=1
disable_tcp=yes
auto_aliases=no
listen=udp:{sip}
mpath="{modules}/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "rtpengine.so"
modparam("rtpengine", "rtpengine_sock", "udp:{ng}")
modparam("rtpengine", "rtpengine_tout_ms", 2000)

request_route {{
    if (!mf_process_maxfwd_header("10")) {{
        sl_send_reply("483", "Too Many Hops");
        exit;
    }}
    if (is_method("ACK") && !t_check_trans()) {{
        forward();
        exit;
    }}
    if (is_method("BYE")) {{
        rtpengine_delete();
    }}
    if (is_method("INVITE") && has_body("application/sdp")) {{
        if (!rtpengine_offer("replace-origin replace-session-connection ICE=remove")) {{
            sl_send_reply("503", "Relay Refused The Offer");
            exit;
        }}
        t_on_reply("ANSWER");
    }}
    if (!t_relay()) {{
        sl_reply_error();
    }}
    exit;
}}

onreply_route[ANSWER] {{
    if (status =~ "^2" && has_body("application/sdp")) {{
        rtpengine_answer("replace-origin replace-session-connection ICE=remove");
    }}
}}
"#,
        modules = modules.display()
    )
}

/// A running Kamailio: its main process and the workers it forked, in a process group of
/// their own. Killing only the main process (what [`ChildGuard`] does) left the workers
/// running, holding the proxy's port, after every run.
struct Kamailio(ChildGuard);

/// Whether any process is left in process group `group`.
fn group_alive(group: u32) -> bool {
    Command::new("pgrep")
        .args(["-g", &group.to_string()])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .status();
    }
}

/// Starts Kamailio on `sip` and waits (bounded) until it holds the port.
fn start_kamailio(dir: &TempDir, sip: SocketAddr, ng: SocketAddr) -> Kamailio {
    let cfg = dir.join("kamailio.cfg");
    std::fs::write(&cfg, config(sip, ng, &module_dir())).unwrap();
    let run = dir.join("run");
    std::fs::create_dir_all(&run).unwrap();
    let log = std::fs::File::create(dir.join("kamailio.log")).unwrap();
    let mut cmd = Command::new(kamailio_bin());
    cmd.arg("-f")
        .arg(&cfg)
        .args(["-DD", "-E", "-m", "32", "-M", "8"])
        .arg("-Y")
        .arg(&run)
        .arg("-P")
        .arg(dir.join("kamailio.pid"))
        .arg("-w")
        .arg(dir.path())
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .process_group(0);
    let mut k = ChildGuard::spawn("kamailio", &mut cmd);
    let deadline = Instant::now() + Duration::from_secs(10);
    while UdpSocket::bind(sip).is_ok() {
        let log = std::fs::read_to_string(dir.join("kamailio.log")).unwrap_or_default();
        assert!(k.try_status().is_none(), "kamailio exited:\n{log}");
        assert!(Instant::now() < deadline, "kamailio did not listen:\n{log}");
        std::thread::sleep(Duration::from_millis(50));
    }
    Kamailio(k)
}

/// The relay port range `roomgate serve` was started with.
fn relay_range(server: &Server) -> std::ops::RangeInclusive<u16> {
    let toml = std::fs::read_to_string(server.dir.join("roomgate.toml")).unwrap();
    let value = |key: &str| -> u16 {
        toml.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_start_matches('=').trim().parse().ok())
            .unwrap()
    };
    value("port_min")..=value("port_max")
}

/// The `m=audio` ports of the SDP bodies in a sipp message log, in order.
fn audio_ports(messages: &str) -> Vec<u16> {
    messages
        .lines()
        .filter_map(|l| l.trim().strip_prefix("m=audio "))
        .filter_map(|l| l.split(' ').next()?.parse().ok())
        .collect()
}

/// `name=value` of the last log line of the server containing `what`.
fn logged_number(log: &str, what: &str, name: &str) -> Option<u64> {
    let line = log.lines().rev().find(|l| l.contains(what))?;
    let at = line.find(&format!("{name}="))?;
    line[at + name.len() + 1..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[test]
fn a_call_through_kamailio_has_its_media_relayed_by_roomgate_over_ng() {
    let ng = SocketAddr::new(LOCALHOST, free_port());
    let server = Server::start_with(ServeOptions {
        extra: format!("[ng]\nlisten = \"{ng}\"\n"),
        ..ServeOptions::default()
    });
    let dir = TempDir::new("kamailio");
    let proxy = SocketAddr::new(LOCALHOST, free_port());
    let kamailio = start_kamailio(&dir, proxy, ng);

    let uas_port = free_port();
    let (uac_media, uas_media) = (common::sipp_media_port(), common::sipp_media_port());
    let callee = Sipp::uas("ng_uas.xml", uas_port)
        .args(&["-m", "1", "-mp", &uas_media.to_string(), "-rtp_echo"])
        .spawn();
    let caller = Sipp::new("ng_uac.xml", proxy)
        .args(&[
            "-m",
            "1",
            "-mp",
            &uac_media.to_string(),
            "-key",
            "uasport",
            &uas_port.to_string(),
        ])
        .run(Duration::from_secs(40));
    let callee = callee.wait(Duration::from_secs(10));
    let klog = std::fs::read_to_string(dir.join("kamailio.log")).unwrap_or_default();
    let context = || {
        format!(
            "{}\n--- callee\n{}\n--- kamailio\n{}\n--- roomgate\n{}",
            caller.report(),
            callee.report(),
            klog,
            server.log()
        )
    };
    assert_eq!(caller.code, Some(0), "{}", context());
    assert_eq!(callee.code, Some(0), "{}", context());

    // Each side was sent the relay's ports, never the other endpoint's.
    let relay = relay_range(&server);
    let at_callee = audio_ports(&callee.messages);
    let at_caller = audio_ports(&caller.messages);
    assert!(
        at_callee.first().is_some_and(|p| relay.contains(p)),
        "callee got {at_callee:?}, relay {relay:?}\n{}",
        context()
    );
    assert!(
        at_caller.iter().any(|p| relay.contains(p)),
        "caller got {at_caller:?}, relay {relay:?}\n{}",
        context()
    );
    assert!(!at_caller.contains(&uas_media) && !at_callee.contains(&uac_media));

    // Kamailio's delete found the call, and the relay had carried both directions: the
    // caller's pcap to the callee, the callee's echo back.
    let log = server.log();
    let a = logged_number(&log, "ng call deleted", "a_packets");
    let b = logged_number(&log, "ng call deleted", "b_packets");
    assert!(
        a.is_some_and(|n| n >= 20) && b.is_some_and(|n| n >= 20),
        "a={a:?} b={b:?}\n{}",
        context()
    );
    assert!(log.contains("ng answer: media bridged"), "{}", context());

    // Stopped, Kamailio leaves no worker behind (they would hold the proxy's port).
    let group = kamailio.0.id();
    assert!(group_alive(group), "kamailio's workers run");
    drop(kamailio);
    let deadline = Instant::now() + Duration::from_secs(5);
    while group_alive(group) {
        assert!(Instant::now() < deadline, "kamailio's workers outlived it");
        std::thread::sleep(Duration::from_millis(50));
    }
}
