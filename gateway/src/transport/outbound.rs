//! Choosing how a request leaves: RFC 3261 §18.1.1 sends a request that is larger than
//! 1300 bytes over a congestion-controlled transport even when UDP was chosen, falling back to
//! UDP when the TCP connection is refused; stream destinations reuse a live connection.

use std::net::SocketAddr;

use super::connections::Connections;
use super::stream::{connect, ConnectError, StreamSettings};
use super::{ConnId, Inbound, Proto};

/// RFC 3261 §18.1.1: within 200 bytes of a 1500-byte path MTU.
pub const UDP_REQUEST_LIMIT: usize = 1300;

/// How one request will be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Udp(SocketAddr),
    Stream {
        conn: ConnId,
        proto: Proto,
        peer: SocketAddr,
    },
}

/// What outbound connections need.
#[derive(Clone)]
pub struct Outbound {
    pub inbound: Inbound,
    pub connections: Connections,
    pub settings: StreamSettings,
    pub tls: Option<tokio_rustls::TlsConnector>,
}

impl Outbound {
    /// Picks the route for a request of `len` bytes to `peer` over `proto`.
    pub async fn route(
        &self,
        proto: Proto,
        peer: SocketAddr,
        server_name: &str,
        len: usize,
    ) -> Result<Route, ConnectError> {
        match proto {
            Proto::Udp if len <= UDP_REQUEST_LIMIT => Ok(Route::Udp(peer)),
            Proto::Udp => match self.stream(Proto::Tcp, peer, server_name).await {
                Ok(route) => {
                    tracing::info!(%peer, len, "request over {UDP_REQUEST_LIMIT} bytes: sending over TCP (RFC 3261 §18.1.1)");
                    Ok(route)
                }
                Err(e) => {
                    tracing::info!(%peer, len, error = %e, "request over {UDP_REQUEST_LIMIT} bytes but TCP connect failed: falling back to UDP");
                    Ok(Route::Udp(peer))
                }
            },
            Proto::Tcp | Proto::Tls => self.stream(proto, peer, server_name).await,
        }
    }

    async fn stream(
        &self,
        proto: Proto,
        peer: SocketAddr,
        server_name: &str,
    ) -> Result<Route, ConnectError> {
        if let Some(conn) = self.connections.find(peer, proto) {
            return Ok(Route::Stream { conn, proto, peer });
        }
        let (tls, name) = match proto {
            Proto::Tls => {
                let name = rustls_pki_types::ServerName::try_from(server_name.to_owned())
                    .map_err(|_| ConnectError::NoServerName)?;
                (
                    Some(self.tls.clone().ok_or(ConnectError::NoServerName)?),
                    Some(name),
                )
            }
            _ => (None, None),
        };
        let conn = connect(
            peer,
            name,
            tls,
            self.inbound.clone(),
            self.connections.clone(),
            self.settings.clone(),
        )
        .await?;
        Ok(Route::Stream { conn, proto, peer })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Stats;
    use crate::transport::ConnectionLimits;
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);
    impl Write for Captured {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn outbound() -> (
        Outbound,
        tokio::sync::mpsc::Receiver<crate::transport::Received>,
    ) {
        let (tx, rx) = tokio::sync::mpsc::channel(8);
        let settings = StreamSettings {
            max_message: 65_535,
            idle_timeout: Duration::from_secs(5),
            handshake_timeout: Duration::from_secs(2),
            stats: Arc::new(Stats::default()),
        };
        let connections = Connections::new(ConnectionLimits {
            per_source: 4,
            total: 8,
        });
        (
            Outbound {
                inbound: tx,
                connections,
                settings,
                tls: None,
            },
            rx,
        )
    }

    #[test]
    fn large_requests_go_over_tcp_and_fall_back_to_udp_when_refused() {
        let log = Captured::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (out, _rx) = outbound();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let open = listener.local_addr().unwrap();
            let accept = tokio::spawn(async move { listener.accept().await.map(|(s, _)| s) });
            assert_eq!(
                out.route(Proto::Udp, open, "x", 800).await.unwrap(),
                Route::Udp(open)
            );
            let big = out.route(Proto::Udp, open, "x", 1400).await.unwrap();
            assert!(matches!(
                big,
                Route::Stream {
                    proto: Proto::Tcp,
                    ..
                }
            ));
            let _server_side = accept.await.unwrap().unwrap();
            // Reused, not reconnected.
            assert_eq!(out.route(Proto::Tcp, open, "x", 10).await.unwrap(), big);
            assert_eq!(out.connections.count(), 1);

            let closed = {
                let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                l.local_addr().unwrap()
            };
            assert_eq!(
                out.route(Proto::Udp, closed, "x", 1400).await.unwrap(),
                Route::Udp(closed)
            );
            assert!(out.route(Proto::Tcp, closed, "x", 10).await.is_err());
        });
        let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        assert!(
            text.contains("sending over TCP (RFC 3261 §18.1.1)"),
            "{text}"
        );
        assert!(text.contains("falling back to UDP"), "{text}");
        assert!(
            text.contains("refused") || text.contains("Connection refused"),
            "{text}"
        );
    }
}
