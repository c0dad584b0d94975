//! The `[ng] listen` UDP socket of `roomgate serve`: one task reads ng datagrams, answers a
//! repeated cookie from the [`ReplyCache`], hands the rest to the [`NgCalls`] and sends the
//! answer with the request's cookie. The calls reach the relay through the same
//! [`MediaPlane`] (and its lock) the SIP calls use, so both kinds of call share one relay,
//! one port pool, and its latching and SRTP handling. ng has no authentication: the socket
//! is bound only where the configuration says (loopback is recommended).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;
use tokio::sync::watch;

use super::cache::ReplyCache;
use super::message::{split, Request, Response, MAX_DATAGRAM};
use super::sessions::NgCalls;
use crate::call::media_plane::MediaPlane;
use crate::call::sip_leg::Ids;

/// How often calls are checked for [`super::sessions::MEDIA_TIMEOUT`].
const TIMEOUT_CHECK: Duration = Duration::from_secs(1);

/// Binds `addr` and runs the ng service until `shutdown`; the calls' relay sessions are
/// released when it stops. Returns the bound address.
pub async fn spawn(
    addr: SocketAddr,
    media: Arc<MediaPlane>,
    media_ip: std::net::IpAddr,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let socket = UdpSocket::bind(addr).await?;
    let local = socket.local_addr()?;
    if !local.ip().is_loopback() {
        tracing::warn!(%local, "ng control listens beyond loopback: ng has no authentication");
    }
    let task = tokio::spawn(async move {
        let mut calls = NgCalls::new(media_ip, Ids::from_os());
        let mut cache = ReplyCache::default();
        let mut buf = vec![0u8; MAX_DATAGRAM + 1];
        let mut tick = tokio::time::interval(TIMEOUT_CHECK);
        loop {
            tokio::select! {
                r = socket.recv_from(&mut buf) => {
                    let (n, peer) = match r {
                        Ok(r) => r,
                        Err(e) => {
                            tracing::debug!(error = %e, "ng receive error");
                            continue;
                        }
                    };
                    let Some(data) = buf.get(..n) else { continue };
                    if let Some(reply) = answer(&mut calls, &mut cache, &media, peer, data) {
                        if let Err(e) = socket.send_to(&reply, peer).await {
                            tracing::debug!(%peer, error = %e, "ng send error");
                        }
                    }
                }
                _ = tick.tick() => {
                    calls.handle_timeout(Instant::now(), &media);
                }
                _ = shutdown.changed() => break,
            }
        }
        calls.close_all(&media);
    });
    Ok((local, task))
}

/// The answer to one datagram from `peer`; `None` when it has no cookie to answer with.
fn answer(
    calls: &mut NgCalls,
    cache: &mut ReplyCache,
    media: &MediaPlane,
    peer: SocketAddr,
    data: &[u8],
) -> Option<Vec<u8>> {
    let now = Instant::now();
    let (cookie, _) = split(data).ok()?;
    if let Some(r) = cache.get(now, peer, &cookie) {
        return Some(r.to_vec());
    }
    let response = match Request::decode(data) {
        Ok(req) => {
            let unix = crate::lockout::unix_seconds(std::time::SystemTime::now());
            calls.handle(now, unix, media, &req.command)
        }
        Err(e) => Response::Error(e.to_string()),
    };
    let wire = response.encode(&cookie);
    cache.put(now, peer, &cookie, wire.clone());
    Some(wire)
}
