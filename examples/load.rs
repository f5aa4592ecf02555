//! A bounded load test of a KMS endpoint on loopback: Encrypt of 1 KiB,
//! SigV4-signed, under the realistic 10-statement key policy of
//! `benches/runtime-key-policy.json`, as the `app` role of
//! `tests/serve/accounts.json`. The same client drives keyward and moto.
//!
//! ```sh
//! cargo run --release --example load -- http://127.0.0.1:4599 [REQUESTS] [CONCURRENCY] [SECONDS]
//! ```
//!
//! It creates the key (as the account's root), then sends at most REQUESTS
//! requests (default 20000) over CONCURRENCY keep-alive connections (default
//! 16) for at most SECONDS (default 30), and prints one JSON line: requests
//! per second and p50/p99 latency. Each connection replays one signed
//! request; the server still verifies its signature every time.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::http::request::Parts;
use hyper_util::rt::TokioIo;
use keyward::server::sigv4;
use serde_json::{json, Value};

const ROOT: (&str, &str) = ("AKIAROOT000000000001", "root-secret-0000000000000000000000000000");
const APP: (&str, &str) = ("AKIAAPP0000000000001", "app-secret-00000000000000000000000000000");
const REGION: &str = "us-east-1";

fn signed(address: SocketAddr, target: &str, body: &[u8], credentials: (&str, &str)) -> (Parts, Bytes) {
    let (mut parts, ()) = hyper::Request::builder()
        .method("POST")
        .uri("/")
        .header("host", address.to_string())
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", format!("TrentService.{target}"))
        .header("user-agent", "keyward-load/1")
        .body(())
        .expect("a request")
        .into_parts();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    sigv4::sign(&mut parts, body, credentials.0, credentials.1, REGION, "kms", now);
    (parts, Bytes::copy_from_slice(body))
}

fn request(parts: &Parts, body: &Bytes) -> hyper::Request<Full<Bytes>> {
    let mut request = hyper::Request::new(Full::new(body.clone()));
    *request.method_mut() = parts.method.clone();
    *request.uri_mut() = parts.uri.clone();
    *request.headers_mut() = parts.headers.clone();
    request
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(address: SocketAddr) -> Sender {
    let stream = tokio::net::TcpStream::connect(address).await.expect("connect");
    let _ = stream.set_nodelay(true);
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(connection);
    sender
}

/// One request; a server that closed the connection (as moto's does after
/// each response) gets a new one, its cost counted in the latency. Status 0
/// means the request failed.
async fn call(sender: &mut Sender, address: SocketAddr, parts: &Parts, body: &Bytes) -> (u16, Bytes) {
    if sender.ready().await.is_err() {
        *sender = connect(address).await;
    }
    let Ok(response) = sender.send_request(request(parts, body)).await else {
        return (0, Bytes::new());
    };
    let status = response.status().as_u16();
    match response.into_body().collect().await {
        Ok(body) => (status, body.to_bytes()),
        Err(_) => (0, Bytes::new()),
    }
}

fn arg(n: usize, default: u64) -> u64 {
    std::env::args().nth(n).and_then(|a| a.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let endpoint = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:4599".into());
    let address: SocketAddr = endpoint
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("an endpoint such as http://127.0.0.1:4599");
    let (requests, concurrency, seconds) = (arg(2, 20_000), arg(3, 16).max(1), arg(4, 30));

    let policy = include_str!("../benches/runtime-key-policy.json");
    let create = json!({"Policy": policy, "Description": "load"}).to_string();
    let (parts, body) = signed(address, "CreateKey", create.as_bytes(), ROOT);
    let (status, created) = call(&mut connect(address).await, address, &parts, &body).await;
    let created: Value = serde_json::from_slice(&created).expect("JSON");
    assert_eq!(status, 200, "CreateKey: {created}");
    let key = created["KeyMetadata"]["KeyId"].as_str().expect("a key id").to_owned();

    let plaintext = base64::engine::general_purpose::STANDARD.encode([0x5a; 1024]);
    let encrypt = json!({"KeyId": key, "Plaintext": plaintext, "EncryptionContext": {"app": "billing"}}).to_string();
    let (parts, body) = signed(address, "Encrypt", encrypt.as_bytes(), APP);
    let (status, first) = call(&mut connect(address).await, address, &parts, &body).await;
    assert_eq!(status, 200, "Encrypt: {}", String::from_utf8_lossy(&first));

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let per_connection = requests.div_ceil(concurrency);
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (parts, body) = (parts.clone(), body.clone());
            tokio::spawn(async move {
                let mut sender = connect(address).await;
                let mut latencies = Vec::with_capacity(per_connection as usize);
                let mut failed = 0u64;
                for _ in 0..per_connection {
                    if Instant::now() >= deadline {
                        break;
                    }
                    let sent = Instant::now();
                    let (status, _) = call(&mut sender, address, &parts, &body).await;
                    latencies.push(sent.elapsed());
                    failed += u64::from(status != 200);
                }
                (latencies, failed)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut failed = 0;
    for worker in workers {
        let (mut l, f) = worker.await.expect("a worker");
        latencies.append(&mut l);
        failed += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let percentile = |p: f64| {
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len().max(1)) - 1;
        latencies.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{}",
        json!({
            "endpoint": endpoint,
            "requests": latencies.len(),
            "failed": failed,
            "concurrency": concurrency,
            "seconds": (elapsed * 1000.0).round() / 1000.0,
            "requests_per_second": (latencies.len() as f64 / elapsed).round(),
            "p50_ms": (percentile(0.50) * 1000.0).round() / 1000.0,
            "p99_ms": (percentile(0.99) * 1000.0).round() / 1000.0,
        })
    );
}
