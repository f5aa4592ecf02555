//! Starting, serving many at once, resetting and stopping: SIGTERM finishes
//! and saves every answered call, the audit log names the client, a state
//! directory serves one process at a time, and test mode stays on loopback.

use std::process::Command;

use super::{json, kms_request, kms_request_as, raw, scratch, Served};

#[test]
fn concurrent_calls_are_all_saved_and_audited_with_the_client_after_sigterm() {
    let dir = scratch("lifecycle-state");
    let state = dir.to_str().expect("a UTF-8 path");
    let served = Served::start("lifecycle", &["--state", state, "--test-mode"]);
    let (status, body) = raw(served.address, &kms_request("CreateKey", "{}"));
    assert_eq!(status, 200, "{body}");
    let key = json(&body)["KeyMetadata"]["KeyId"]
        .as_str()
        .expect("a key id")
        .to_owned();
    let encrypt = format!(r#"{{"KeyId": "{key}", "Plaintext": "aGVsbG8=", "EncryptionContext": {{"a": "b"}}}}"#);
    let address = served.address;
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let request = kms_request("Encrypt", &encrypt);
            std::thread::spawn(move || (0..10).map(|_| raw(address, &request).0).collect::<Vec<u16>>())
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().expect("a client thread"), vec![200; 10]);
    }
    let (code, log) = served.stop();
    assert_eq!(code, Some(0), "{log}");
    assert_eq!(
        log.lines()
            .filter(|l| l.contains("TrentService.Encrypt 200 OK"))
            .count(),
        80,
        "{log}"
    );

    // The same state, read by the CLI.
    let out = Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args(["--state", state, "audit", "--output", "json"])
        .output()
        .expect("keyward audit runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let audit = json(&String::from_utf8_lossy(&out.stdout));
    let records = audit["Records"].as_array().expect("records");
    let encrypts: Vec<_> = records.iter().filter(|r| r["eventName"] == "Encrypt").collect();
    assert_eq!(encrypts.len(), 80);
    assert!(encrypts
        .iter()
        .all(|r| r["sourceIPAddress"] == "127.0.0.1" && r["userAgent"] == "keyward-tests/1"));

    // Started again on the same state, the key is there.
    let again = Served::start("lifecycle-again", &["--state", state, "--test-mode"]);
    let describe = format!(r#"{{"KeyId": "{key}"}}"#);
    let (status, body) = raw(again.address, &kms_request("DescribeKey", &describe));
    assert_eq!(status, 200, "{body}");
}

#[test]
fn two_servers_and_the_cli_share_one_state_directory() {
    let dir = scratch("lifecycle-shared");
    let state = dir.to_str().expect("a UTF-8 path");
    let first = Served::start("lifecycle-first", &["--state", state, "--test-mode"]);
    let second = Served::start("lifecycle-second", &["--state", state, "--test-mode"]);
    let (status, created) = raw(first.address, &kms_request("CreateKey", "{}"));
    assert_eq!(status, 200, "{created}");
    let key = json(&created)["KeyMetadata"]["KeyId"]
        .as_str()
        .expect("a key id")
        .to_owned();
    let encrypt = format!(r#"{{"KeyId": "{key}", "Plaintext": "aGVsbG8="}}"#);
    let (status, sealed) = raw(second.address, &kms_request("Encrypt", &encrypt));
    assert_eq!(status, 200, "{sealed}");
    // The CLI, at the same time, on the same directory: it decrypts what the
    // second server sealed under the key the first one made.
    let blob = json(&sealed)["CiphertextBlob"].as_str().expect("a blob").to_owned();
    let out = Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args([
            "--state",
            state,
            "decrypt",
            "--ciphertext-blob",
            &blob,
            "--output",
            "json",
        ])
        .output()
        .expect("keyward decrypt runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(&String::from_utf8_lossy(&out.stdout))["Plaintext"], "aGVsbG8=");
    // And a key disabled through the CLI is disabled for both servers.
    let out = Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args(["--state", state, "key", "disable", "--key-id", &key])
        .output()
        .expect("keyward key disable runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for served in [&first, &second] {
        let (status, body) = raw(served.address, &kms_request("Encrypt", &encrypt));
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("DisabledException"), "{body}");
    }
}

#[test]
fn test_mode_is_refused_on_a_non_loopback_address() {
    let out = Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args(["serve", "--bind", "0.0.0.0:0", "--test-mode", "--ephemeral"])
        .output()
        .expect("keyward runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("keyward::serve::test_mode_exposed"));
}

#[test]
fn the_reset_paths_empty_all_state_in_test_mode_only() {
    let served = Served::start("lifecycle-reset", &["--ephemeral", "--test-mode"]);
    for path in ["/moto-api/reset", "/_keyward/reset"] {
        assert_eq!(raw(served.address, &kms_request("CreateKey", "{}")).0, 200);
        let (_, listed) = raw(served.address, &kms_request("ListKeys", "{}"));
        assert_eq!(json(&listed)["Keys"].as_array().map(Vec::len), Some(1));
        // Whatever its content type: a form body is not an STS call here.
        let reset = format!("POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\n\r\n");
        assert_eq!(raw(served.address, reset.as_bytes()).0, 200);
        let (_, listed) = raw(served.address, &kms_request("ListKeys", "{}"));
        assert_eq!(json(&listed)["Keys"], serde_json::json!([]), "{path}");
    }
    let accounts = super::accounts();
    let strict = Served::start(
        "lifecycle-no-reset",
        &["--ephemeral", "--accounts", accounts.to_str().expect("UTF-8")],
    );
    let reset = b"POST /moto-api/reset HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    let (status, body) = raw(strict.address, reset);
    assert_eq!(status, 404);
    assert_eq!(json(&body)["__type"], "UnknownOperationException");
}

#[test]
fn a_web_page_cannot_reset_the_state() {
    let served = Served::start("lifecycle-csrf", &["--ephemeral", "--test-mode"]);
    assert_eq!(raw(served.address, &kms_request("CreateKey", "{}")).0, 200);
    for header in ["Origin: http://evil.example", "Sec-Fetch-Site: cross-site"] {
        let reset = format!(
            "POST /_keyward/reset HTTP/1.1\r\nHost: x\r\n{header}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        );
        let (status, body) = raw(served.address, reset.as_bytes());
        assert_eq!(
            (status, json(&body)["__type"].as_str()),
            (403, Some("AccessDeniedException")),
            "{header}"
        );
    }
    let (_, listed) = raw(served.address, &kms_request("ListKeys", "{}"));
    assert_eq!(
        json(&listed)["Keys"].as_array().map(Vec::len),
        Some(1),
        "nothing was reset"
    );
}

#[test]
fn account_wide_operations_stay_in_the_callers_account_whatever_key_the_body_names() {
    let served = Served::start("lifecycle-route", &["--ephemeral", "--test-mode"]);
    let (_, created) = raw(served.address, &kms_request("CreateKey", "{}"));
    let arn = json(&created)["KeyMetadata"]["Arn"]
        .as_str()
        .expect("an ARN")
        .to_owned();
    let naming = format!(r#"{{"KeyId": "{arn}"}}"#);
    let (_, listed) = raw(served.address, &kms_request_as("444455556666", "ListKeys", &naming));
    assert_eq!(
        json(&listed)["Keys"],
        serde_json::json!([]),
        "another account's keys are not listed"
    );
    let (_, made) = raw(served.address, &kms_request_as("444455556666", "CreateKey", &naming));
    let made = json(&made)["KeyMetadata"]["Arn"].as_str().expect("an ARN").to_owned();
    assert!(made.contains(":444455556666:key/"), "{made}");
    let (_, own) = raw(served.address, &kms_request("ListKeys", "{}"));
    assert_eq!(json(&own)["Keys"].as_array().map(Vec::len), Some(1));
}

#[test]
fn outside_test_mode_an_unsigned_unknown_key_is_unrecognized() {
    let accounts = super::accounts();
    let served = Served::start(
        "lifecycle-strict",
        &["--ephemeral", "--accounts", accounts.to_str().expect("UTF-8")],
    );
    let (status, body) = raw(served.address, &kms_request("ListKeys", "{}"));
    assert_eq!(status, 400);
    assert_eq!(json(&body)["__type"], "UnrecognizedClientException");
}

/// kill -9 in the middle of a stream of calls: every call the server
/// acknowledged is there when it starts again on the same state.
#[test]
fn a_server_killed_mid_stream_loses_no_acknowledged_call() {
    let dir = scratch("lifecycle-killed");
    let state = dir.to_str().expect("a UTF-8 path");
    let mut acknowledged: Vec<String> = Vec::new();
    for _ in 0..3 {
        let mut served = Served::start("lifecycle-killed", &["--state", state, "--test-mode"]);
        let address = served.address;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let client = {
            let stop = std::sync::Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut made = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let result = std::panic::catch_unwind(|| raw(address, &kms_request("CreateKey", "{}")));
                    match result {
                        Ok((200, body)) => made.push(
                            json(&body)["KeyMetadata"]["KeyId"]
                                .as_str()
                                .unwrap_or_default()
                                .to_owned(),
                        ),
                        _ => break,
                    }
                }
                made
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(400));
        served.kill();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        acknowledged.extend(client.join().expect("the client thread"));
    }
    assert!(
        acknowledged.len() > 3,
        "the server acknowledged only {} calls",
        acknowledged.len()
    );
    let again = Served::start("lifecycle-killed-again", &["--state", state, "--test-mode"]);
    for key in &acknowledged {
        let (status, body) = raw(
            again.address,
            &kms_request("DescribeKey", &format!(r#"{{"KeyId": "{key}"}}"#)),
        );
        assert_eq!(status, 200, "acknowledged key {key} is lost: {body}");
    }
}

/// A call whose commit fails (a full disk, injected by the hidden test hook
/// `KEYWARD_TEST_FAIL_COMMIT`) answers 500 `KMSInternalException` and
/// leaves nothing of itself: not in the running server, not on disk.
#[test]
fn a_call_whose_commit_fails_answers_500_and_leaves_the_state_as_it_was() {
    let dir = scratch("lifecycle-failed-commit");
    let state = dir.to_str().expect("a UTF-8 path");
    // Commit 1: CreateKey; 2: ListKeys (its audit record); 3: the tagging.
    let served = Served::start_with_env(
        "lifecycle-failed-commit",
        &["--state", state, "--test-mode"],
        &[("KEYWARD_TEST_FAIL_COMMIT", "3")],
    );
    let (status, created) = raw(served.address, &kms_request("CreateKey", "{}"));
    assert_eq!(status, 200, "{created}");
    let key = json(&created)["KeyMetadata"]["KeyId"]
        .as_str()
        .expect("a key id")
        .to_owned();
    let (status, before) = raw(served.address, &kms_request("ListKeys", "{}"));
    assert_eq!(status, 200, "{before}");
    let tag = format!(r#"{{"KeyId": "{key}", "Tags": [{{"TagKey": "env", "TagValue": "dev"}}]}}"#);
    let (status, failed) = raw(served.address, &kms_request("TagResource", &tag));
    assert_eq!(status, 500, "{failed}");
    assert_eq!(json(&failed)["__type"], "KMSInternalException", "{failed}");
    let tags = format!(r#"{{"KeyId": "{key}"}}"#);
    let (status, listed) = raw(served.address, &kms_request("ListResourceTags", &tags));
    assert_eq!(status, 200, "{listed}");
    assert_eq!(
        json(&listed)["Tags"],
        serde_json::json!([]),
        "the failed tag is not in effect"
    );
    let (_, after) = raw(served.address, &kms_request("ListKeys", "{}"));
    assert_eq!(json(&after), json(&before));
    drop(served);
    // On disk too: the CLI, on the same state, sees the key untagged.
    let out = Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args(["--state", state, "kms", "list-resource-tags", "--key-id", &key])
        .env_remove("KEYWARD_TEST_FAIL_COMMIT")
        .output()
        .expect("keyward runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        json(&String::from_utf8_lossy(&out.stdout))["Tags"],
        serde_json::json!([])
    );
}
