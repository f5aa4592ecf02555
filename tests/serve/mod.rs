//! `keyward serve` end to end: the binary listening on a loopback port,
//! driven by boto3 (`sdk.py`, a real AWS SDK), by raw HTTP for hostile
//! requests, and stopped with SIGTERM to check that nothing is lost.

mod esdk;
mod hostile;
mod lifecycle;
mod sdk;
mod sdk_api;
mod userid;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The accounts file the tests use: the root, an `app` role and an
/// `attacker` role, each with an access key.
pub(crate) fn accounts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/serve/accounts.json")
}

/// A fresh folder under the target directory.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// A running `keyward serve` on 127.0.0.1 and a free port; stopped (killed)
/// when dropped, or gracefully with [`Served::stop`].
pub(crate) struct Served {
    child: Child,
    address: SocketAddr,
    log: PathBuf,
}

impl Served {
    /// Starts `keyward serve --bind 127.0.0.1:0 ARGS…` and waits for its
    /// "listening on" line. The access log goes to a file, so it never
    /// fills a pipe.
    pub(crate) fn start(name: &str, args: &[&str]) -> Served {
        Served::start_with_env(name, args, &[])
    }

    /// [`Served::start`] with these environment variables set.
    fn start_with_env(name: &str, args: &[&str], env: &[(&str, &str)]) -> Served {
        let log = scratch(&format!("{name}-log")).join("stderr.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_keyward"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("keyward serve starts");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout).read_line(&mut line).expect("the first line");
        let Some(address) = line.trim().strip_prefix("keyward serve: listening on http://") else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "keyward serve did not start: {line:?}\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        };
        Served {
            address: address.parse().expect("an address"),
            child,
            log,
        }
    }

    pub(crate) fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Sends SIGTERM, waits for the exit, and returns the exit code and
    /// what the server wrote on standard error.
    /// SIGKILL: the server gets no chance to finish anything.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn stop(mut self) -> (Option<i32>, String) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
        assert!(sent.success());
        let status = self.child.wait().expect("the server exits");
        (status.code(), std::fs::read_to_string(&self.log).unwrap_or_default())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A raw HTTP/1.1 exchange on a fresh connection: status and body.
fn raw(address: SocketAddr, request: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    // The server may answer and close before reading a refused body whole.
    let _ = stream.write_all(request);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// A KMS request in test mode: the access key is an account id, so no
/// signature is checked.
fn kms_request(target: &str, body: &str) -> Vec<u8> {
    kms_request_as("111122223333", target, body)
}

/// [`kms_request`] as the root of `account`.
fn kms_request_as(account: &str, target: &str, body: &str) -> Vec<u8> {
    format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-Amz-Target: TrentService.{target}\r\n\
Content-Type: application/x-amz-json-1.1\r\nUser-Agent: keyward-tests/1\r\nX-Amz-Date: 20261204T120000Z\r\n\
Authorization: AWS4-HMAC-SHA256 Credential={account}/20261204/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature={}\r\n\
Content-Length: {}\r\n\r\n{body}",
        "0".repeat(64),
        body.len()
    )
    .into_bytes()
}

/// A JSON response body.
fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body:?}"))
}

/// The Python with boto3: `$KEYWARD_PYTHON`, else the virtual environment
/// `.ci/run` makes in `target/py`, else `python3`. Missing boto3 fails the
/// test, unless `KEYWARD_SKIP_SDK_TESTS=1` says to skip these tests (never
/// under CI).
fn python() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/py/bin/python");
    let python = std::env::var_os("KEYWARD_PYTHON")
        .map(PathBuf::from)
        .or_else(|| venv.exists().then_some(venv))
        .unwrap_or_else(|| PathBuf::from("python3"));
    let has_boto3 = Command::new(&python)
        .args(["-c", "import boto3"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if has_boto3 {
        return Some(python);
    }
    let skip = std::env::var("KEYWARD_SKIP_SDK_TESTS").is_ok_and(|v| v == "1");
    let ci = std::env::var_os("CI").is_some();
    assert!(
        skip && !ci,
        "boto3 is missing for `{}`: `.ci/run` installs it in target/py, or run \
         `python3 -m venv target/py && target/py/bin/pip install boto3==1.44.5`; \
         KEYWARD_SKIP_SDK_TESTS=1 skips the SDK tests outside CI",
        python.display()
    );
    eprintln!("SKIPPED: boto3 is missing and KEYWARD_SKIP_SDK_TESTS=1");
    None
}

/// Runs one scenario of `sdk.py` against the server and fails with its
/// output if any check in it fails.
fn scenario(served: &Served, name: &str) {
    scenario_of("sdk.py", served, name);
}

/// Runs one scenario of `script` (in `tests/serve`) against the server.
fn scenario_of(script: &str, served: &Served, name: &str) {
    scenario_with(script, served, name, &[]);
}

/// [`scenario_of`] with more arguments for the scenario.
fn scenario_with(script: &str, served: &Served, name: &str, more: &[&str]) {
    let Some(python) = python() else { return };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/serve").join(script);
    let out = Command::new(python)
        .arg(script)
        .args([&served.endpoint(), name])
        .args(more)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "scenario {name} failed:\n{}\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(&served.log).unwrap_or_default()
    );
}
