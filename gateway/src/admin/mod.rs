//! The admin HTTP API and Prometheus `/metrics`.
//!
//! Everything here is read from sources that already exist, never from shared call state:
//! live calls and counters come from the SIP core's driver through [`AdminQuery`] (asked with
//! a bounded wait, so a busy or stopped core makes the API answer 503 instead of hanging),
//! lockouts from the [`Guard`] the call flow uses, meetings and CDRs from the store (in
//! `spawn_blocking`, since SQLite calls block).
//!
//! Every endpoint, `/metrics` included, needs `Authorization: Bearer <token>` (Prometheus
//! scrapes with `authorization: { credentials_file: ... }`). The API is plain HTTP/1.1 and
//! listens on loopback by default.
//!
//! | method | path | answer |
//! |---|---|---|
//! | GET | `/v1/calls` | live calls (`CallView`) |
//! | GET | `/v1/calls/{id}` | one call, 404 when absent |
//! | GET | `/v1/meetings` | meetings without secrets ([`MeetingInfo`]) |
//! | GET | `/v1/lockouts` | active meeting locks and source blocks |
//! | DELETE | `/v1/lockouts/meeting/{id}` | lift a meeting lock, 404 when none |
//! | DELETE | `/v1/lockouts/source/{ip}` | lift a source block (by its source key), 404 when none |
//! | GET | `/v1/cdrs?limit=N` | newest CDRs first, N ≤ 1000 (default 100) |
//! | GET | `/metrics` | Prometheus text format 0.0.4 |
//! | * | `/v1/endpoints/...` | SSH control of room systems, see [`crate::endpoint::api`] |

pub mod metrics;
mod token;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot, watch, Semaphore};

pub use token::{
    check_token, load_or_create, read as read_token, Token, TokenError, MAX_TOKEN_LEN,
    MIN_TOKEN_LEN, TOKEN_FILE_NAME,
};

use crate::lockout::{source_key, unix_seconds, Guard, SecuritySink, Subject};
use crate::observe::{AdminQuery, Snapshot};
use crate::store::{CdrRecord, Store, StoreError, MAX_CDR_PAGE};

/// How long a request waits for the SIP core to answer a query before it gets 503. The core
/// answers between events, so anything longer means it is stuck or overloaded, and a scrape
/// must not pile up behind it.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(2);

/// Queries waiting for the core. A handful is plenty: the admin side asks rarely, and a full
/// queue is waited on (within [`QUERY_TIMEOUT`]) rather than refused.
pub const QUERY_QUEUE: usize = 16;

/// Largest request body accepted. No endpoint takes a body; this only bounds what a client
/// can make us read.
pub const MAX_BODY: usize = 4096;

/// Requests handled at once; more get 503. The API serves a few operators and one
/// Prometheus, never a crowd, and each request may hold a blocking-pool thread.
pub const MAX_CONCURRENT_REQUESTS: usize = 32;

/// CDRs returned when `limit` is not given.
pub const DEFAULT_CDR_PAGE: usize = 100;

/// A meeting as the API shows it: what an operator needs to see, never the PIN hash or the
/// upstream credentials (only whether they are set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingInfo {
    pub id: String,
    pub upstream: String,
    pub srtp: &'static str,
    /// SRTP suites for the upstream leg; empty means the gateway's default.
    pub suites: Vec<String>,
    pub has_pin: bool,
    pub has_credentials: bool,
}

/// Where the API lists meetings from. A trait so a shared (Redis) store can serve the same
/// API later; synchronous because it is called from `spawn_blocking`.
pub trait MeetingAdmin: Send + Sync + 'static {
    fn list(&self) -> Result<Vec<MeetingInfo>, AdminError>;
}

impl MeetingAdmin for Store {
    fn list(&self) -> Result<Vec<MeetingInfo>, AdminError> {
        Ok(self
            .list_meetings()?
            .into_iter()
            .map(|m| MeetingInfo {
                upstream: m.upstream.as_str().to_owned(),
                srtp: m.srtp.as_str(),
                suites: m.suites,
                has_pin: m.pin_hash.is_some(),
                has_credentials: m.credentials.is_some(),
                id: m.id,
            })
            .collect())
    }
}

/// Where the API reads CDRs from; synchronous, called from `spawn_blocking`.
pub trait CdrSource: Send + Sync + 'static {
    /// The newest `limit` records, newest first.
    fn recent(&self, limit: usize) -> Result<Vec<CdrRecord>, AdminError>;
}

impl CdrSource for Store {
    fn recent(&self, limit: usize) -> Result<Vec<CdrRecord>, AdminError> {
        Ok(self.recent_cdrs(limit)?)
    }
}

/// Why a request failed. Each maps to one HTTP status and a JSON `{"error": ...}` body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdminError {
    #[error("missing or wrong bearer token")]
    Unauthorized,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("request body larger than {} bytes", MAX_BODY)]
    TooLarge,
    /// The SIP core did not answer in time, or too many requests are running.
    #[error("{0}")]
    Unavailable(String),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("lockout: {0}")]
    Guard(#[from] crate::lockout::GuardError),
    #[error("internal error: {0}")]
    Internal(String),
}

#[derive(Serialize)]
struct ErrorBody {
    error: String,
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let status = match &self {
            AdminError::Unauthorized => StatusCode::UNAUTHORIZED,
            AdminError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AdminError::NotFound(_) => StatusCode::NOT_FOUND,
            AdminError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AdminError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AdminError::Store(_) | AdminError::Guard(_) | AdminError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "admin API request failed");
        }
        let mut response = (
            status,
            Json(ErrorBody {
                error: self.to_string(),
            }),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"roomgate\""),
            );
        }
        response
    }
}

/// What the API serves from. Cheap to clone (all shared handles).
#[derive(Clone)]
pub struct AdminState {
    /// Questions to the SIP core's driver.
    pub queries: mpsc::Sender<AdminQuery>,
    /// The same guard the call flow reserves PIN attempts with.
    pub guard: Arc<Guard>,
    pub meetings: Arc<dyn MeetingAdmin>,
    pub cdrs: Arc<dyn CdrSource>,
    /// Counts security events for `/metrics`.
    pub security: Arc<SecuritySink>,
    pub token: Arc<Token>,
    /// Bounds requests in flight (see [`MAX_CONCURRENT_REQUESTS`]).
    pub in_flight: Arc<Semaphore>,
    /// SSH control of room systems (`/v1/endpoints/...`); `None` answers 503 there.
    pub endpoints: Option<Arc<crate::endpoint::service::Service>>,
}

impl AdminState {
    /// State over a store that serves both meetings and CDRs.
    pub fn new(
        queries: mpsc::Sender<AdminQuery>,
        guard: Arc<Guard>,
        store: Store,
        security: Arc<SecuritySink>,
        token: Token,
    ) -> AdminState {
        let store = Arc::new(store);
        AdminState {
            queries,
            guard,
            meetings: store.clone(),
            cdrs: store,
            security,
            token: Arc::new(token),
            in_flight: Arc::new(Semaphore::new(MAX_CONCURRENT_REQUESTS)),
            endpoints: None,
        }
    }

    /// The same state with endpoint control (`/v1/endpoints/...`).
    pub fn with_endpoints(mut self, endpoints: crate::endpoint::service::Service) -> AdminState {
        self.endpoints = Some(Arc::new(endpoints));
        self
    }
}

/// The routes, with the token check and limits in front of every one (the fallback too, so
/// an unauthenticated client cannot even tell which paths exist).
pub fn router(state: AdminState) -> Router {
    Router::new()
        .route("/v1/calls", get(list_calls))
        .route("/v1/calls/{id}", get(get_call))
        .route("/v1/meetings", get(list_meetings))
        .route("/v1/lockouts", get(list_lockouts))
        .route("/v1/lockouts/meeting/{id}", delete(clear_meeting))
        .route("/v1/lockouts/source/{ip}", delete(clear_source))
        .route("/v1/cdrs", get(recent_cdrs))
        .route("/v1/h323/gatekeeper", get(gatekeeper))
        .route("/metrics", get(metrics))
        .merge(crate::endpoint::api::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard_request,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// Serves the API on `listener` until `shutdown` turns true (or its sender is dropped);
/// requests in progress are finished.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AdminState,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    // The peer address goes into the audit trail of endpoint operations.
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            // Err: the sender is gone, which also means stop.
            let _ = shutdown.wait_for(|stop| *stop).await;
        })
        .await
}

/// Token, body size and concurrency checks, in that order.
async fn guard_request(State(state): State<AdminState>, req: Request, next: Next) -> Response {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer);
    if !presented.is_some_and(|t| state.token.matches(t.as_bytes())) {
        tracing::debug!(path = %req.uri().path(), "admin API: unauthorized request");
        return AdminError::Unauthorized.into_response();
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return AdminError::TooLarge.into_response();
    }
    let Ok(_permit) = state.in_flight.clone().try_acquire_owned() else {
        return AdminError::Unavailable("too many admin requests at once".to_owned())
            .into_response();
    };
    next.run(req).await
}

/// The credentials of a `Bearer` Authorization header (scheme case-insensitive, RFC 7235).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, rest) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim())
        .filter(|t| !t.is_empty())
}

async fn not_found() -> AdminError {
    AdminError::NotFound("no such endpoint".to_owned())
}

fn now() -> u64 {
    unix_seconds(SystemTime::now())
}

/// Asks the SIP core for a snapshot, waiting at most [`QUERY_TIMEOUT`].
async fn snapshot(state: &AdminState) -> Result<Snapshot, AdminError> {
    let ask = async {
        let (tx, rx) = oneshot::channel();
        state
            .queries
            .send(AdminQuery::Snapshot(tx))
            .await
            .map_err(|_| AdminError::Unavailable("the SIP core is not running".to_owned()))?;
        rx.await
            .map_err(|_| AdminError::Unavailable("the SIP core dropped the query".to_owned()))
    };
    tokio::time::timeout(QUERY_TIMEOUT, ask)
        .await
        .map_err(|_| AdminError::Unavailable("the SIP core did not answer in time".to_owned()))?
}

/// Runs a store call on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AdminError> + Send + 'static,
) -> Result<T, AdminError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AdminError::Internal(format!("store task: {e}")))?
}

/// A path parameter, or a 400 with a JSON body (axum's own rejection is plain text).
fn path_param(p: Result<Path<String>, PathRejection>) -> Result<String, AdminError> {
    p.map(|Path(s)| s)
        .map_err(|e| AdminError::BadRequest(e.body_text()))
}

async fn list_calls(
    State(state): State<AdminState>,
) -> Result<Json<Vec<crate::observe::CallView>>, AdminError> {
    Ok(Json(snapshot(&state).await?.calls))
}

/// The gatekeeper registration; 404 when `[h323.gatekeeper]` is not enabled.
async fn gatekeeper(
    State(state): State<AdminState>,
) -> Result<Json<roomgate_h323::gatekeeper::Status>, AdminError> {
    snapshot(&state)
        .await?
        .gatekeeper
        .map(Json)
        .ok_or_else(|| AdminError::NotFound("no gatekeeper configured".to_owned()))
}

async fn get_call(
    State(state): State<AdminState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<crate::observe::CallView>, AdminError> {
    let id = path_param(id)?;
    let id: u64 = id
        .parse()
        .map_err(|_| AdminError::BadRequest("call id must be a decimal number".to_owned()))?;
    snapshot(&state)
        .await?
        .calls
        .into_iter()
        .find(|c| c.id == id)
        .map(Json)
        .ok_or_else(|| AdminError::NotFound(format!("no call {id}")))
}

async fn list_meetings(
    State(state): State<AdminState>,
) -> Result<Json<Vec<MeetingInfo>>, AdminError> {
    let meetings = state.meetings.clone();
    Ok(Json(blocking(move || meetings.list()).await?))
}

async fn list_lockouts(
    State(state): State<AdminState>,
) -> Result<Json<Vec<crate::lockout::Lockout>>, AdminError> {
    Ok(Json(state.guard.list(now()).await?))
}

/// The answer to a successful clear.
#[derive(Serialize)]
struct Cleared {
    cleared: Subject,
}

async fn clear(state: &AdminState, subject: Subject) -> Result<Json<Cleared>, AdminError> {
    if state.guard.clear(now(), &subject).await? {
        tracing::info!(
            kind = subject.kind(),
            key = subject.key(),
            "admin API: lockout cleared"
        );
        Ok(Json(Cleared { cleared: subject }))
    } else {
        Err(AdminError::NotFound(format!(
            "no {} lockout for {}",
            subject.kind(),
            subject.key()
        )))
    }
}

async fn clear_meeting(
    State(state): State<AdminState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Cleared>, AdminError> {
    let id = path_param(id)?;
    crate::store::validate_id(&id).map_err(|e| AdminError::BadRequest(e.to_string()))?;
    clear(&state, Subject::Meeting(id)).await
}

async fn clear_source(
    State(state): State<AdminState>,
    ip: Result<Path<String>, PathRejection>,
) -> Result<Json<Cleared>, AdminError> {
    let ip = path_param(ip)?;
    let ip: IpAddr = ip
        .parse()
        .map_err(|_| AdminError::BadRequest("not an IPv4 or IPv6 address".to_owned()))?;
    clear(&state, Subject::Source(source_key(ip))).await
}

#[derive(Deserialize)]
struct CdrParams {
    limit: Option<usize>,
}

async fn recent_cdrs(
    State(state): State<AdminState>,
    params: Result<Query<CdrParams>, QueryRejection>,
) -> Result<Json<Vec<CdrRecord>>, AdminError> {
    let Query(params) = params.map_err(|e| AdminError::BadRequest(e.body_text()))?;
    let limit = params.limit.unwrap_or(DEFAULT_CDR_PAGE).min(MAX_CDR_PAGE);
    let cdrs = state.cdrs.clone();
    Ok(Json(blocking(move || cdrs.recent(limit)).await?))
}

/// Renders whatever is available: a core that does not answer leaves out the call and media
/// families (and sets `roomgate_core_up` to 0) instead of failing the scrape.
async fn metrics(State(state): State<AdminState>) -> Response {
    let snap = match snapshot(&state).await {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!(error = %e, "metrics without the SIP core's snapshot");
            None
        }
    };
    let body = metrics::render(snap.as_ref(), state.security.counts());
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(metrics::CONTENT_TYPE),
        )],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme_is_case_insensitive_and_needs_credentials() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("Bearer"), None);
    }
}
