//! SigV4 request verification (`AuthorizationHeader::verify`: the canonical
//! request from the method, path, query, headers and payload) on any
//! request. A request `sign` signs verifies; with another secret, or with
//! another body, it does not; and any `Authorization` text given with any
//! request is answered, never a panic.
//!
//! Input: method, URI, header lines (`name:value`), body and an
//! `Authorization` header text, separated by NUL bytes.
#![no_main]

use hyper::http::header::{HeaderName, HeaderValue};
use hyper::http::request::Parts;
use hyper::http::{Method, Request};
use keyward::server::sigv4::{sign, AuthorizationHeader};
use libfuzzer_sys::fuzz_target;

/// 2015-08-30T12:36:00Z, the date of AWS's SigV4 examples.
const NOW: i64 = 1_440_938_160;
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn request(data: &[u8]) -> Option<(Parts, Vec<u8>, String)> {
    let mut fields = data.split(|&b| b == 0);
    let method = Method::from_bytes(fields.next()?).ok()?;
    let uri: hyper::http::Uri = std::str::from_utf8(fields.next()?).ok()?.parse().ok()?;
    let lines = fields.next().unwrap_or_default();
    let body = fields.next().unwrap_or_default().to_vec();
    let authorization = String::from_utf8_lossy(fields.next().unwrap_or_default()).into_owned();
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "localhost:4599");
    for line in lines.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(&line[colon + 1..]),
        ) else {
            continue;
        };
        // The one header whose value `verify` checks against the body itself.
        if name != "x-amz-content-sha256" {
            builder = builder.header(name, value);
        }
    }
    let (parts, ()) = builder.body(()).ok()?.into_parts();
    Some((parts, body, authorization))
}

fuzz_target!(|data: &[u8]| {
    let Some((mut parts, body, authorization)) = request(data) else {
        return;
    };
    if let Ok(given) = AuthorizationHeader::parse(&authorization) {
        let _ = given.verify(&parts, &body, SECRET, "kms", NOW);
    }
    sign(&mut parts, &body, "AKIDEXAMPLE", SECRET, "us-east-1", "kms", NOW);
    // `sign` signs nothing when a header to sign is not visible ASCII.
    let Some(value) = parts.headers.get("authorization") else {
        return;
    };
    let text = value.to_str().expect("sign writes ASCII").to_owned();
    let signed = AuthorizationHeader::parse(&text).expect("sign's header parses");
    if let Err(e) = signed.verify(&parts, &body, SECRET, "kms", NOW) {
        panic!("a signed request does not verify: {e:?}\n{parts:?}");
    }
    assert!(signed.verify(&parts, &body, "another secret", "kms", NOW).is_err());
    let mut other = body.clone();
    other.push(b'!');
    assert!(signed.verify(&parts, &other, SECRET, "kms", NOW).is_err());
});
