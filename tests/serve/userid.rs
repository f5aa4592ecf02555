//! `aws:userid` over `keyward serve`, signed with the tests' access keys:
//! STS `GetCallerIdentity` answers it as `UserId`
//! (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html),
//! and a key policy that denies every other `aws:userid` lets the `app`
//! role's session (its `RoleId` in `accounts.json`) through.

use std::io::{Read, Write};
use std::net::TcpStream;

use super::{accounts, Served};

const APP: (&str, &str) = ("AKIAAPP0000000000001", "app-secret-00000000000000000000000000000");
const ATTACKER: (&str, &str) = ("AKIAATTACKER00000001", "attacker-secret-000000000000000000000000");
const ROOT: (&str, &str) = ("AKIAROOT000000000001", "root-secret-0000000000000000000000000000");

/// A signed POST: the status and the body.
fn post(served: &Served, key: (&str, &str), service: &str, target: Option<&str>, body: &str) -> (u16, String) {
    let address = served.endpoint().trim_start_matches("http://").to_owned();
    let mut builder = hyper::http::Request::builder()
        .method("POST")
        .uri("/")
        .header("host", &address);
    builder = match target {
        Some(target) => builder
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", format!("TrentService.{target}")),
        None => builder.header("content-type", "application/x-www-form-urlencoded"),
    };
    let (mut parts, ()) = builder.body(()).unwrap().into_parts();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    keyward::server::sigv4::sign(&mut parts, body.as_bytes(), key.0, key.1, "us-east-1", service, now);
    let mut request = format!(
        "POST / HTTP/1.1\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in &parts.headers {
        request.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    let mut stream = TcpStream::connect(&address).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn user_id(served: &Served, key: (&str, &str)) -> String {
    let (status, xml) = post(served, key, "sts", None, "Action=GetCallerIdentity&Version=2011-06-15");
    assert_eq!(status, 200, "{xml}");
    let start = xml.find("<UserId>").map(|i| i + "<UserId>".len()).unwrap_or_default();
    let end = xml.find("</UserId>").unwrap_or(start);
    xml[start..end].to_owned()
}

#[test]
fn get_caller_identity_gives_aws_userid_forms_over_http() {
    let served = Served::start(
        "userid-sts",
        &["--ephemeral", "--accounts", accounts().to_str().unwrap()],
    );
    assert_eq!(user_id(&served, ROOT), "111122223333");
    assert_eq!(user_id(&served, APP), "AROAAPPROLEEXAMPLE001:worker");
    let attacker = user_id(&served, ATTACKER);
    assert!(
        attacker.starts_with("AROA") && attacker.ends_with(":keyward") && attacker.len() == 21 + ":keyward".len(),
        "{attacker}"
    );
}

#[test]
fn a_deny_unless_userid_matches_lets_the_named_role_session_through_over_http() {
    let served = Served::start(
        "userid-kms",
        &["--ephemeral", "--accounts", accounts().to_str().unwrap()],
    );
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": ["kms:Encrypt", "kms:DescribeKey"], "Resource": "*",
         "Condition": {"StringNotLike": {"aws:userid": ["AROAAPPROLEEXAMPLE001:*", "111122223333"]}}}]});
    let create = serde_json::json!({"Policy": policy.to_string()}).to_string();
    let (status, created) = post(&served, ROOT, "kms", Some("CreateKey"), &create);
    assert_eq!(status, 200, "{created}");
    let key = super::json(&created)["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_owned();
    let encrypt = serde_json::json!({"KeyId": key, "Plaintext": "aGk="}).to_string();
    let (status, body) = post(&served, APP, "kms", Some("Encrypt"), &encrypt);
    assert_eq!(status, 200, "the app role's session: {body}");
    let (status, body) = post(&served, ATTACKER, "kms", Some("Encrypt"), &encrypt);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("AccessDeniedException"), "{body}");
}
