//! One HTTP request, start to end: read the body (size-limited), route it
//! (KMS by `X-Amz-Target`, STS by its form body, the test-mode reset
//! paths), authenticate, call, answer in the protocol's shape, and write
//! one access-log line. Every refusal is a JSON (or, for STS, XML) error;
//! nothing here panics on a request.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::http::request::Parts;
use hyper::{Method, Request, Response};
use serde_json::{json, Value};
use zeroize::Zeroizing;

use super::error::WireError;
use super::identity::authenticate;
use super::{sts, Shared};
use crate::kms::op;
use crate::kms::runtime::Clock as _;

/// How long a client may take to send its body.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

const JSON: &str = "application/x-amz-json-1.1";

/// What a request was, for the access log.
#[derive(Default)]
struct Logged {
    operation: String,
    principal: Option<String>,
    error: Option<&'static str>,
}

/// An answer: status, content type, and a body that is zeroized once sent.
struct Answer {
    status: u16,
    content_type: &'static str,
    body: Zeroizing<Vec<u8>>,
}

fn json_error(e: &WireError) -> Answer {
    // AWS leaves out a message it has none for (`UnknownOperationException`).
    let body = if e.message.is_empty() {
        json!({"__type": e.name})
    } else {
        json!({"__type": e.name, "message": e.message})
    };
    Answer {
        status: e.status,
        content_type: JSON,
        body: Zeroizing::new(body.to_string().into_bytes()),
    }
}

pub async fn handle(
    shared: Arc<Shared>,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    let request_id = request_id();
    let mut logged = Logged::default();
    let answer = answer(&shared, peer, request, &request_id, &mut logged).await;
    let elapsed = started.elapsed();
    if shared.access_log.enabled() {
        shared.access_log.write(format!(
            "{} {peer} {} {} {} {} {:.3}ms {request_id}",
            crate::kms::runtime::rfc3339(now()),
            if logged.operation.is_empty() {
                "-"
            } else {
                &logged.operation
            },
            answer.status,
            logged.error.unwrap_or("OK"),
            logged.principal.as_deref().unwrap_or("-"),
            elapsed.as_secs_f64() * 1000.0,
        ));
    }
    let mut response = Response::new(Full::new(Bytes::from_owner(answer.body)));
    *response.status_mut() =
        hyper::StatusCode::from_u16(answer.status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        "content-type",
        hyper::header::HeaderValue::from_static(answer.content_type),
    );
    if let Ok(id) = request_id.parse() {
        headers.insert("x-amzn-requestid", id);
    }
    Ok(response)
}

async fn answer(
    shared: &Shared,
    peer: SocketAddr,
    request: Request<Incoming>,
    request_id: &str,
    logged: &mut Logged,
) -> Answer {
    let (parts, body) = request.into_parts();
    // The test-mode reset answers whatever its content type.
    let is_sts = parts.headers.get("x-amz-target").is_none()
        && !is_reset(&parts)
        && parts
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let outcome = match read_body(shared, &parts, body).await {
        Ok(body) if is_sts => {
            // The access log names the STS action (`sts.AssumeRole`).
            let action = super::form::Form::parse(&body)
                .ok()
                .and_then(|form| form.get("Action").map(|a| a.chars().take(64).collect::<String>()));
            logged.operation = format!("sts.{}", action.as_deref().unwrap_or("-"));
            return sts_answer(shared, peer, &parts, &body, request_id, logged);
        }
        Ok(body) => kms_answer(shared, peer, &parts, &body, logged).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(answer) => answer,
        Err(e) => {
            logged.error = Some(e.name);
            json_error(&e)
        }
    }
}

/// `POST /_keyward/reset` (or moto's `/moto-api/reset`), test mode's reset.
fn is_reset(parts: &Parts) -> bool {
    parts.method == Method::POST && matches!(parts.uri.path(), "/moto-api/reset" | "/_keyward/reset")
}

async fn read_body(shared: &Shared, parts: &Parts, body: Incoming) -> Result<Zeroizing<Vec<u8>>, WireError> {
    let limit = shared.config.max_body_bytes;
    let too_large = || {
        WireError::client(
            "RequestEntityTooLargeException",
            format!("the request body is larger than {limit} bytes, the server's limit (`keyward serve --max-body-bytes BYTES` raises it)"),
        )
        .with_status(413)
    };
    let declared = parts
        .headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let collected = tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, limit).collect())
        .await
        .map_err(|_| {
            WireError::client("RequestTimeoutException", "the request body did not arrive in time").with_status(408)
        })?;
    match collected {
        Ok(collected) => Ok(Zeroizing::new(collected.to_bytes().to_vec())),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(_) => Err(WireError::client(
            "SerializationException",
            "the request body could not be read",
        )),
    }
}

async fn kms_answer(
    shared: &Shared,
    peer: SocketAddr,
    parts: &Parts,
    body: &[u8],
    logged: &mut Logged,
) -> Result<Answer, WireError> {
    if is_reset(parts) {
        logged.operation = parts.uri.path().to_owned();
        if !shared.config.test_mode {
            return Err(
                WireError::client("UnknownOperationException", "resetting the state needs `--test-mode`")
                    .with_status(404),
            );
        }
        // A web page can post to loopback too; browsers say where from
        // (`Origin`, `Sec-Fetch-Site`), test suites do not.
        if parts.headers.contains_key("origin") || parts.headers.contains_key("sec-fetch-site") {
            return Err(
                WireError::client("AccessDeniedException", "a reset from a web page is refused").with_status(403),
            );
        }
        super::state::reset(&shared.kms).await?;
        return Ok(Answer {
            status: 200,
            content_type: "application/json",
            body: Zeroizing::new(b"{}".to_vec()),
        });
    }
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    logged.operation = target.chars().take(80).collect();
    let unknown = || {
        WireError::client(
            "UnknownOperationException",
            "the request must be `POST /` with `X-Amz-Target: TrentService.<Operation>`",
        )
    };
    if parts.method != Method::POST || parts.uri.path() != "/" {
        return Err(unknown().with_status(if parts.method == Method::POST { 404 } else { 405 }));
    }
    let operation = target.strip_prefix("TrentService.").ok_or_else(unknown)?;
    let content_type = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/x-amz-json-1.") {
        return Err(WireError::client(
            "SerializationException",
            format!("the Content-Type must be {JSON}"),
        ));
    }
    let identity = authenticate(&shared.config, &shared.sessions, parts, body, "kms", peer.ip(), now())?;
    logged.principal = Some(identity.caller.arn.clone());
    let request: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(body)
            .map_err(|_| WireError::client("SerializationException", "the request body is not a JSON object"))?
    };
    let result = super::state::call(
        &shared.kms,
        identity.caller.clone(),
        identity.region.clone(),
        operation.to_owned(),
        request,
    )
    .await;
    let mut response = result?;
    let body = serde_json::to_vec(&response).map(Zeroizing::new);
    op::wipe(&mut response);
    Ok(Answer {
        status: 200,
        content_type: JSON,
        body: body.map_err(|e| WireError::internal(e.to_string()))?,
    })
}

fn sts_answer(
    shared: &Shared,
    peer: SocketAddr,
    parts: &Parts,
    body: &[u8],
    request_id: &str,
    logged: &mut Logged,
) -> Answer {
    let xml = |status: u16, text: String| Answer {
        status,
        content_type: "text/xml",
        body: Zeroizing::new(text.into_bytes()),
    };
    let now = now();
    let result =
        authenticate(&shared.config, &shared.sessions, parts, body, "sts", peer.ip(), now).and_then(|mut identity| {
            logged.principal = Some(identity.caller.arn.clone());
            let identities = shared.kms.identities();
            // `UserId` from the unique id the accounts file gives, if any (the
            // service holds the file's identities).
            identities.identify(&mut identity.caller);
            let context = sts::Context {
                roles: &shared.config.accounts.roles,
                identities: &identities,
                sessions: &shared.sessions,
                now,
            };
            sts::respond(&context, &identity, body, request_id)
        });
    match result {
        Ok(text) => xml(200, text),
        Err(e) => {
            logged.error = Some(sts::sts_name(e.name));
            xml(sts::status(&e), sts::error(&e, request_id))
        }
    }
}

fn now() -> i64 {
    crate::kms::runtime::SystemClock.now()
}

/// A fresh request id, shaped like AWS's (a random UUID).
fn request_id() -> String {
    crate::crypto::random_uuid()
}
