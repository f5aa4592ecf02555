//! Requests no SDK sends: each gets a JSON error with a 4xx status, and
//! the server keeps answering afterwards.

use super::{json, kms_request, raw, Served};

fn served(name: &str) -> Served {
    Served::start(name, &["--ephemeral", "--test-mode", "--max-body-bytes", "65536"])
}

fn assert_error(response: (u16, String), status: u16, name: &str) {
    assert_eq!(response.0, status, "{}", response.1);
    assert_eq!(json(&response.1)["__type"], name, "{}", response.1);
}

#[test]
fn malformed_json_and_wrong_member_types_are_serialization_exceptions() {
    let served = served("hostile-json");
    for body in ["{", "[1, 2", "\"text\"", "{\"KeyId\": }", "\u{0}\u{1}"] {
        let (status, body) = raw(served.address, &kms_request("DescribeKey", body));
        assert_eq!(status, 400, "{body}");
        assert_eq!(json(&body)["__type"], "SerializationException", "{body}");
    }
    assert_error(
        raw(served.address, &kms_request("DescribeKey", r#"{"KeyId": 7}"#)),
        400,
        "SerializationException",
    );
    let deep = "[".repeat(100_000);
    assert_error(
        raw(served.address, &kms_request("DescribeKey", &deep)),
        413,
        "RequestEntityTooLargeException",
    );
    let deep = "[".repeat(60_000);
    assert_error(
        raw(served.address, &kms_request("DescribeKey", &deep)),
        400,
        "SerializationException",
    );
    assert_eq!(raw(served.address, &kms_request("ListKeys", "")).0, 200);
}

#[test]
fn a_huge_body_is_refused_with_413_whether_declared_or_streamed() {
    let served = served("hostile-huge");
    let declared = b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Amz-Target: TrentService.Encrypt\r\nContent-Length: 10000000000\r\n\r\n";
    assert_error(raw(served.address, declared), 413, "RequestEntityTooLargeException");
    let mut chunked = b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Amz-Target: TrentService.Encrypt\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..20 {
        chunked.extend_from_slice(b"1000\r\n");
        chunked.extend_from_slice(&[b'a'; 4096]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    assert_error(raw(served.address, &chunked), 413, "RequestEntityTooLargeException");
    assert_eq!(raw(served.address, &kms_request("ListKeys", "{}")).0, 200);
}

#[test]
fn the_413_message_names_the_limit_and_the_flag_that_raises_it() {
    let served = served("hostile-413-message");
    let body = format!(r#"{{"KeyId": "{}"}}"#, "k".repeat(70_000));
    let (status, answer) = raw(served.address, &kms_request("DescribeKey", &body));
    assert_eq!(status, 413, "{answer}");
    let message = json(&answer)["message"].as_str().unwrap_or_default().to_owned();
    assert!(
        message.contains("65536 bytes") && message.contains("--max-body-bytes"),
        "{message}"
    );
}

/// Connections beyond `--max-connections` wait, unserved, until one of
/// those open closes; then they are served. The server says once that it
/// is at its limit.
#[test]
fn connections_beyond_the_limit_wait_until_one_closes() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;
    let served = Served::start(
        "hostile-connections",
        &["--ephemeral", "--test-mode", "--max-connections", "2"],
    );
    // Two idle connections take both slots.
    let first = TcpStream::connect(served.address).expect("connect");
    let second = TcpStream::connect(served.address).expect("connect");
    // Make sure both are accepted before the third arrives.
    std::thread::sleep(Duration::from_millis(300));
    let mut third = TcpStream::connect(served.address).expect("the kernel queues it");
    third.write_all(&kms_request("ListKeys", "{}")).expect("send");
    third
        .set_read_timeout(Some(Duration::from_millis(800)))
        .expect("timeout");
    let mut byte = [0u8; 1];
    let waiting = third.read(&mut byte);
    assert!(
        matches!(&waiting, Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)),
        "the third connection was served while two were open: {waiting:?}"
    );
    drop(first);
    third.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut response = Vec::new();
    third
        .read_to_end(&mut response)
        .expect("the answer, once a slot is free");
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    drop(second);
    assert_eq!(raw(served.address, &kms_request("ListKeys", "{}")).0, 200);
    let (_, log) = served.stop();
    assert_eq!(
        log.matches("2 connections open (the `--max-connections` limit)")
            .count(),
        1,
        "{log}"
    );
}

#[test]
fn max_connections_refuses_zero_and_nonsense() {
    for value in ["0", "-1", "many"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_keyward"))
            .args(["serve", "--ephemeral", &format!("--max-connections={value}")])
            .output()
            .expect("keyward runs");
        assert_eq!(out.status.code(), Some(2), "{value}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--max-connections"), "{value}: {stderr}");
    }
}

#[test]
fn unknown_targets_methods_paths_and_missing_headers_get_json_errors() {
    let served = served("hostile-headers");
    let a = served.address;
    // An operation the API does not have: AWS answers with no message member.
    let (status, body) = raw(a, &kms_request("NoSuchOperation", "{}"));
    assert_eq!(status, 400);
    assert_eq!(json(&body), serde_json::json!({"__type": "UnknownOperationException"}));
    let other_service = String::from_utf8(kms_request("ListKeys", "{}"))
        .unwrap()
        .replace("TrentService.", "DynamoDB_20120810.");
    assert_error(raw(a, other_service.as_bytes()), 400, "UnknownOperationException");
    let no_target = b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 2\r\n\r\n{}";
    assert_error(raw(a, no_target), 400, "UnknownOperationException");
    assert_error(
        raw(a, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        405,
        "UnknownOperationException",
    );
    let no_auth = String::from_utf8(kms_request("ListKeys", "{}"))
        .unwrap()
        .replace("Authorization:", "X-Not-Authorization:");
    assert_error(raw(a, no_auth.as_bytes()), 400, "MissingAuthenticationTokenException");
    let bad_auth = String::from_utf8(kms_request("ListKeys", "{}"))
        .unwrap()
        .replace("AWS4-HMAC-SHA256 Credential", "AWS4-HMAC-SHA256 Credentia");
    assert_error(raw(a, bad_auth.as_bytes()), 400, "IncompleteSignatureException");
    let no_type = String::from_utf8(kms_request("ListKeys", "{}"))
        .unwrap()
        .replace("Content-Type: application/x-amz-json-1.1\r\n", "");
    assert_error(raw(a, no_type.as_bytes()), 400, "SerializationException");
    // Not HTTP at all: hyper answers 400 and closes; the server lives on.
    let (status, _) = raw(a, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n");
    assert_eq!(status, 400);
    assert_eq!(raw(a, &kms_request("ListKeys", "{}")).0, 200);
}

/// A server's state is its owner's only (the folder 0700, every file in it
/// 0600), and no answer, refused or not, tells a remote client where it is.
#[cfg(unix)]
#[test]
fn the_state_is_owner_only_and_no_answer_names_where_it_lives() {
    use std::os::unix::fs::PermissionsExt;
    let parent = super::scratch("hostile-state");
    let state = parent.join("state");
    let state_text = state.to_str().expect("a UTF-8 path");
    let served = Served::start("hostile-state", &["--state", state_text, "--test-mode"]);
    let (status, created) = raw(served.address, &kms_request("CreateKey", "{}"));
    assert_eq!(status, 200, "{created}");
    let key = json(&created)["KeyMetadata"]["KeyId"]
        .as_str()
        .expect("a key id")
        .to_owned();
    let mut answers = vec![created];
    for (target, body) in [
        ("Encrypt", format!(r#"{{"KeyId": "{key}", "Plaintext": "aGVsbG8="}}"#)),
        ("Decrypt", r#"{"CiphertextBlob": "AAAA"}"#.to_owned()),
        ("DescribeKey", r#"{"KeyId": "alias/none"}"#.to_owned()),
        ("DisableKey", r#"{"KeyId": "../../etc/passwd"}"#.to_owned()),
        ("NoSuchOperation", "{}".to_owned()),
        ("CreateKey", "{".to_owned()),
    ] {
        answers.push(raw(served.address, &kms_request(target, &body)).1);
    }
    let parent_text = parent.to_str().expect("a UTF-8 path");
    for answer in &answers {
        assert!(!answer.contains(parent_text), "an answer names the state: {answer}");
    }
    let mode = |p: &std::path::Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(&state), 0o700);
    for entry in std::fs::read_dir(&state).expect("the state folder") {
        let path = entry.expect("an entry").path();
        if path.is_file() {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
}

/// An unsigned (test-mode) STS request with a form body.
fn sts_request(body: &[u8]) -> Vec<u8> {
    let mut request = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\nX-Amz-Date: 20261204T120000Z\r\n\
Authorization: AWS4-HMAC-SHA256 Credential=111122223333/20261204/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature={}\r\n\
Content-Length: {}\r\n\r\n",
        "0".repeat(64),
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request
}

/// STS Query requests no SDK sends: each gets an STS XML error with a 4xx
/// status naming what is wrong (API_AssumeRole.html's constraints), never a
/// 5xx, and the server keeps answering.
#[test]
fn malformed_sts_forms_get_sts_errors_with_4xx_statuses() {
    let served = served("hostile-sts");
    let long = format!(
        "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName={}",
        "a".repeat(10_000)
    );
    let cases: Vec<(Vec<u8>, u16, &str)> = vec![
        (b"Action=AssumeRole".to_vec(), 400, "ValidationError"),
        (b"Action=AssumeRole&RoleArn=%ZZ%ZZ".to_vec(), 400, "ValidationError"),
        (b"Action=AssumeRole&RoleArn=%FF%FE".to_vec(), 400, "MalformedQueryString"),
        (b"Action=AssumeRole&Action=GetCallerIdentity".to_vec(), 400, "MalformedQueryString"),
        (vec![0xff, 0xfe, 0x00], 400, "MalformedQueryString"),
        (b"Action=Assume%00Role".to_vec(), 400, "InvalidAction"),
        (b"RoleArn=x".to_vec(), 400, "MissingAction"),
        (long.into_bytes(), 400, "ValidationError"),
        (
            b"Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName=s1&DurationSeconds=1e99".to_vec(),
            400,
            "ValidationError",
        ),
        (
            b"Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName=s1&Tags.member.1.Key=bad%23key".to_vec(),
            400,
            "ValidationError",
        ),
        (
            b"Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName=s1&Tags.member.1.Key=a&Tags.member.2.Key=A".to_vec(),
            400,
            "ValidationError",
        ),
        (
            b"Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName=s1&TransitiveTagKeys.member.1=team".to_vec(),
            400,
            "ValidationError",
        ),
        (
            b"Action=AssumeRole&RoleArn=not-an-arn-but-long-enough&RoleSessionName=s1".to_vec(),
            403,
            "AccessDenied",
        ),
        (
            b"Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fnone&RoleSessionName=s1".to_vec(),
            403,
            "AccessDenied",
        ),
    ];
    for (body, status, code) in cases {
        let (got, text) = raw(served.address, &sts_request(&body));
        let shown = String::from_utf8_lossy(&body[..body.len().min(80)]).into_owned();
        assert_eq!(got, status, "{shown}: {text}");
        assert!(text.contains(&format!("<Code>{code}</Code>")), "{shown}: {text}");
    }
    assert_eq!(raw(served.address, &kms_request("ListKeys", "{}")).0, 200);
}
