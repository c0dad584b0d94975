//! `/v1/endpoints/...` in the admin API: the same operations as `roomgate endpoint`, behind
//! the same bearer token as the rest of the API.
//!
//! | method | path | body | answer |
//! |---|---|---|---|
//! | GET | `/v1/endpoints` | | the endpoints |
//! | POST | `/v1/endpoints` | [`AddBody`] | the endpoint, `201` added or `200` replaced |
//! | GET | `/v1/endpoints/{name}` | | one endpoint |
//! | DELETE | `/v1/endpoints/{name}` | | removed |
//! | POST | `/v1/endpoints/{name}/dial` | `{"meeting": "1001"}` | [`Report`] |
//! | POST | `/v1/endpoints/{name}/hangup` | | [`Report`] |
//! | GET | `/v1/endpoints/{name}/status` | | [`Report`] |
//! | POST | `/v1/endpoints/{name}/exec` | `{"command": "xStatus SystemUnit"}` | [`Report`] |
//!
//! Adding works as on the command line: without `accept_host_key` the room's fingerprint is
//! only learned and answered with 409 `{"error", "presented"}` for the operator to compare on
//! the room's console before adding again with it; the key file is a path on the gateway
//! (absolute, referenced, never copied). The API has no standard input, so it uses key files
//! without a passphrase; an encrypted key answers 409 (add such rooms with the CLI). Errors:
//! 400 bad input (checked before any SSH traffic), 404 unknown endpoint, 409 host key not
//! pinned yet or key needs a passphrase, 502 the room failed (host key, authentication,
//! refusal, unreadable answer), 504 the room did not answer in time.

use std::net::SocketAddr;

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};

use super::dialect::Dialect;
use super::service::{EndpointError, NewEndpoint, Report, Request};
use super::ssh::SshError;
use super::Endpoint;
use crate::admin::AdminState;

/// The endpoint routes, merged into the admin router (which puts the token check in front).
pub fn routes() -> Router<AdminState> {
    Router::new()
        .route("/v1/endpoints", get(list).post(add))
        .route("/v1/endpoints/{name}", get(one).delete(remove))
        .route("/v1/endpoints/{name}/dial", post(dial))
        .route("/v1/endpoints/{name}/hangup", post(hangup))
        .route("/v1/endpoints/{name}/status", get(status))
        .route("/v1/endpoints/{name}/exec", post(exec))
}

/// An endpoint-API failure, as JSON `{"error": ...}` with its status.
pub struct ApiError(StatusCode, String);

#[derive(Serialize)]
struct ErrorBody {
    error: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(ErrorBody { error: self.1 })).into_response()
    }
}

impl From<EndpointError> for ApiError {
    fn from(e: EndpointError) -> Self {
        let status = match &e {
            EndpointError::Input(_) | EndpointError::NoDialAddress => StatusCode::BAD_REQUEST,
            EndpointError::NotFound(_) => StatusCode::NOT_FOUND,
            EndpointError::Ssh(SshError::KeyNeedsPassphrase(_)) => StatusCode::CONFLICT,
            EndpointError::Ssh(SshError::Timeout { .. }) => StatusCode::GATEWAY_TIMEOUT,
            EndpointError::Ssh(SshError::KeyFile { .. })
            | EndpointError::Store(_)
            | EndpointError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_GATEWAY,
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e, "admin API endpoint request failed");
        }
        ApiError(status, e.to_string())
    }
}

fn bad_request(text: String) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, text)
}

type Peer = Option<Extension<ConnectInfo<SocketAddr>>>;

/// Who asked: the API's token holder, from the peer address when the listener records it.
fn caller(peer: &Peer) -> String {
    match peer {
        Some(Extension(ConnectInfo(addr))) => format!("admin-api {}", addr.ip()),
        None => "admin-api".to_owned(),
    }
}

fn service(state: &AdminState) -> Result<&super::service::Service, ApiError> {
    state.endpoints.as_deref().ok_or_else(|| {
        ApiError(
            StatusCode::SERVICE_UNAVAILABLE,
            "endpoint control is not set up on this gateway".to_owned(),
        )
    })
}

fn name(p: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    p.map(|Path(s)| s).map_err(|e| bad_request(e.body_text()))
}

async fn list(State(state): State<AdminState>) -> Result<Json<Vec<Endpoint>>, ApiError> {
    Ok(Json(service(&state)?.list().await?))
}

async fn one(
    State(state): State<AdminState>,
    p: Result<Path<String>, PathRejection>,
) -> Result<Json<Endpoint>, ApiError> {
    Ok(Json(service(&state)?.get(&name(p)?).await?))
}

/// The body of `POST /v1/endpoints`: the fields of `roomgate endpoint add`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddBody {
    name: String,
    /// `host`, `host:port` or `[v6]:port`, as on the command line.
    host: String,
    user: String,
    /// Absolute path of the private key on the gateway.
    key_file: std::path::PathBuf,
    dialect: Dialect,
    /// The fingerprint to pin (`SHA256:...`); absent, the room's is learned and refused.
    #[serde(default)]
    accept_host_key: Option<String>,
}

#[derive(Serialize)]
struct Unpinned {
    error: String,
    presented: String,
}

async fn add(
    State(state): State<AdminState>,
    peer: Peer,
    body: Result<Json<AddBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body.map_err(|e| bad_request(e.body_text()))?;
    if !body.key_file.is_absolute() {
        return Err(bad_request(
            "key_file must be an absolute path on the gateway".to_owned(),
        ));
    }
    let (host, port) = super::parse_host_port(&body.host).map_err(EndpointError::from)?;
    let new = NewEndpoint {
        name: body.name,
        host,
        port,
        user: body.user,
        key_file: body.key_file,
        dialect: body.dialect,
    };
    let added = service(&state)?
        .add(&caller(&peer), new, body.accept_host_key.as_deref(), None)
        .await;
    match added {
        Ok((endpoint, replaced)) => {
            let status = if replaced {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            Ok((status, Json(endpoint)).into_response())
        }
        Err(EndpointError::Ssh(e @ SshError::HostKeyUnknown { .. })) => {
            let SshError::HostKeyUnknown { ref presented, .. } = e else {
                return Err(EndpointError::Ssh(e).into());
            };
            let body = Unpinned {
                presented: presented.clone(),
                error: e.to_string(),
            };
            Ok((StatusCode::CONFLICT, Json(body)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Serialize)]
struct Removed {
    removed: String,
}

async fn remove(
    State(state): State<AdminState>,
    peer: Peer,
    p: Result<Path<String>, PathRejection>,
) -> Result<Json<Removed>, ApiError> {
    let name = name(p)?;
    service(&state)?.remove(&caller(&peer), &name).await?;
    Ok(Json(Removed { removed: name }))
}

async fn operate(
    state: &AdminState,
    peer: &Peer,
    name: String,
    request: Request,
) -> Result<Json<Report>, ApiError> {
    Ok(Json(
        service(state)?
            .operate(&caller(peer), &name, request, None)
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DialBody {
    meeting: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExecBody {
    command: String,
}

async fn dial(
    State(state): State<AdminState>,
    peer: Peer,
    p: Result<Path<String>, PathRejection>,
    body: Result<Json<DialBody>, JsonRejection>,
) -> Result<Json<Report>, ApiError> {
    let name = name(p)?;
    let Json(body) = body.map_err(|e| bad_request(e.body_text()))?;
    operate(
        &state,
        &peer,
        name,
        Request::Dial {
            meeting: body.meeting,
        },
    )
    .await
}

async fn hangup(
    State(state): State<AdminState>,
    peer: Peer,
    p: Result<Path<String>, PathRejection>,
) -> Result<Json<Report>, ApiError> {
    operate(&state, &peer, name(p)?, Request::Hangup).await
}

async fn status(
    State(state): State<AdminState>,
    peer: Peer,
    p: Result<Path<String>, PathRejection>,
) -> Result<Json<Report>, ApiError> {
    operate(&state, &peer, name(p)?, Request::Status).await
}

async fn exec(
    State(state): State<AdminState>,
    peer: Peer,
    p: Result<Path<String>, PathRejection>,
    body: Result<Json<ExecBody>, JsonRejection>,
) -> Result<Json<Report>, ApiError> {
    let name = name(p)?;
    let Json(body) = body.map_err(|e| bad_request(e.body_text()))?;
    operate(
        &state,
        &peer,
        name,
        Request::Exec {
            command: body.command,
        },
    )
    .await
}
