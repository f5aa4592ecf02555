//! AWS Signature Version 4: [`AuthorizationHeader::parse`] reads the header,
//! [`AuthorizationHeader::verify`] rebuilds the canonical request and the string
//! to sign from the request as received and compares signatures in constant
//! time. [`sign`] is the client side, for tests and the load client.

use hmac::{Hmac, KeyInit, Mac};
use hyper::http::request::Parts;
use hyper::http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::crypto::hex;

use super::error::WireError;

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// How far `X-Amz-Date` may be from the server's clock (AWS allows 15 minutes).
pub const MAX_SKEW_SECONDS: i64 = 15 * 60;

/// The parts of an `Authorization: AWS4-HMAC-SHA256 …` header.
#[derive(Debug, PartialEq, Eq)]
pub struct AuthorizationHeader<'a> {
    pub access_key: &'a str,
    /// `YYYYMMDD` of the credential scope.
    pub date: &'a str,
    pub region: &'a str,
    pub service: &'a str,
    pub signed_headers: Vec<&'a str>,
    pub signature: &'a str,
}

fn incomplete(message: impl Into<String>) -> WireError {
    WireError::client("IncompleteSignatureException", message)
}

impl<'a> AuthorizationHeader<'a> {
    pub fn parse(header: &'a str) -> Result<AuthorizationHeader<'a>, WireError> {
        let rest = header
            .strip_prefix(ALGORITHM)
            .filter(|r| r.starts_with(' '))
            .ok_or_else(|| incomplete(format!("Authorization header requires the algorithm {ALGORITHM}")))?;
        let (mut credential, mut signed, mut signature) = (None, None, None);
        for part in rest.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.split_once('=') {
                Some(("Credential", v)) => credential = Some(v),
                Some(("SignedHeaders", v)) => signed = Some(v),
                Some(("Signature", v)) => signature = Some(v),
                _ => return Err(incomplete("Authorization header has an element that is not key=value")),
            }
        }
        let missing = |what: &str| incomplete(format!("Authorization header requires '{what}' parameter"));
        let credential = credential.ok_or_else(|| missing("Credential"))?;
        let signed = signed.ok_or_else(|| missing("SignedHeaders"))?;
        let signature = signature.ok_or_else(|| missing("Signature"))?;
        let scope: Vec<&str> = credential.split('/').collect();
        let [access_key, date, region, service, "aws4_request"] = scope[..] else {
            return Err(incomplete(
                "Credential must have the form <access key>/<date>/<region>/<service>/aws4_request",
            ));
        };
        let is_date = date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit());
        if access_key.is_empty() || !is_date {
            return Err(incomplete(format!("Credential scope `{credential}` is malformed")));
        }
        let well_formed = signature.len() == 64 && signature.bytes().all(|b| b.is_ascii_hexdigit());
        if !well_formed {
            return Err(incomplete("Signature must be 64 hexadecimal digits"));
        }
        let signed_headers: Vec<&str> = signed.split(';').collect();
        if signed_headers
            .iter()
            .any(|h| h.is_empty() || h.bytes().any(|b| b.is_ascii_uppercase()))
        {
            return Err(incomplete(
                "SignedHeaders must be lower-case header names separated by `;`",
            ));
        }
        if !signed_headers.contains(&"host") {
            return Err(incomplete("SignedHeaders must include `host`"));
        }
        Ok(AuthorizationHeader {
            access_key,
            date,
            region,
            service,
            signed_headers,
            signature,
        })
    }

    /// Checks the scope against the service, the date against `now` (epoch
    /// seconds) and the signature against `secret`.
    pub fn verify(&self, parts: &Parts, body: &[u8], secret: &str, service: &str, now: i64) -> Result<(), WireError> {
        let invalid = |message: String| WireError::client("InvalidSignatureException", message);
        if self.service != service {
            return Err(invalid(format!(
                "Credential should be scoped to correct service: '{service}'."
            )));
        }
        if !is_region(self.region) {
            return Err(invalid(format!(
                "Credential should be scoped to a valid region, not '{}'.",
                self.region
            )));
        }
        let amz_date = header(&parts.headers, "x-amz-date").ok_or_else(|| {
            incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header")
        })?;
        if !self.signed_headers.contains(&"x-amz-date") {
            return Err(incomplete("SignedHeaders must include `x-amz-date`"));
        }
        // The target names the operation: a signature that leaves it out
        // could be replayed as another operation.
        if parts.headers.contains_key("x-amz-target") && !self.signed_headers.contains(&"x-amz-target") {
            return Err(incomplete("SignedHeaders must include `x-amz-target`"));
        }
        let signed_at = parse_amz_date(amz_date)
            .ok_or_else(|| incomplete(format!("X-Amz-Date `{amz_date}` is not YYYYMMDD'T'HHMMSS'Z'")))?;
        if !amz_date.starts_with(self.date) {
            return Err(invalid(format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}'",
                self.date,
                &amz_date[..8]
            )));
        }
        if signed_at < now - MAX_SKEW_SECONDS {
            return Err(invalid(format!(
                "Signature expired: {amz_date} is now earlier than {} ({} - 15 min.)",
                amz_date_of(now - MAX_SKEW_SECONDS),
                amz_date_of(now)
            )));
        }
        if signed_at > now + MAX_SKEW_SECONDS {
            return Err(invalid(format!(
                "Signature not yet current: {amz_date} is still later than {} ({} + 15 min.)",
                amz_date_of(now + MAX_SKEW_SECONDS),
                amz_date_of(now)
            )));
        }
        let payload_hash = hex(&Sha256::digest(body));
        if let Some(claimed) = header(&parts.headers, "x-amz-content-sha256") {
            if claimed != payload_hash {
                return Err(invalid(
                    "The provided 'x-amz-content-sha256' header does not match what was computed.".into(),
                ));
            }
        }
        let canonical = canonical_request(parts, &self.signed_headers, &payload_hash)?;
        let scope = format!("{}/{}/{}/aws4_request", self.date, self.region, self.service);
        let expected = signature(
            secret,
            self.date,
            self.region,
            self.service,
            amz_date,
            &scope,
            &canonical,
        );
        let given = unhex(self.signature);
        if bool::from(expected.as_slice().ct_eq(given.as_slice())) {
            Ok(())
        } else {
            Err(invalid(
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.".into(),
            ))
        }
    }
}

/// The Regions of the `aws`, `aws-cn` and `aws-us-gov` partitions. A scope
/// must name one: each Region met opens a runtime and a store, so a made-up
/// name must not.
const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

pub(super) fn is_region(region: &str) -> bool {
    REGIONS.contains(&region)
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The canonical request: method, URI, query, signed headers, payload hash.
fn canonical_request(parts: &Parts, signed_headers: &[&str], payload_hash: &str) -> Result<String, WireError> {
    let mut out = String::with_capacity(256);
    out.push_str(parts.method.as_str());
    out.push('\n');
    // Services other than S3 encode the path (already encoded) once more.
    for b in parts.uri.path().bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.push('\n');
    let mut query: Vec<(&str, &str)> = parts
        .uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    query.sort_unstable();
    let query: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    out.push_str(&query.join("&"));
    out.push('\n');
    for name in signed_headers {
        let values: Vec<String> = parts
            .headers
            .get_all(*name)
            .iter()
            .map(|v| {
                v.to_str()
                    .map(|s| s.split_ascii_whitespace().collect::<Vec<_>>().join(" "))
                    .map_err(|_| incomplete(format!("header `{name}` is not visible ASCII")))
            })
            .collect::<Result<_, _>>()?;
        if values.is_empty() {
            return Err(incomplete(format!(
                "signed header `{name}` is missing from the request"
            )));
        }
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signed_headers.join(";"));
    out.push('\n');
    out.push_str(payload_hash);
    Ok(out)
}

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], data: &[u8]) -> Zeroizing<[u8; 32]> {
    // HMAC takes keys of any length: this cannot fail.
    let mut mac =
        <HmacSha256 as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(data);
    Zeroizing::new(mac.finalize().into_bytes().into())
}

fn signature(
    secret: &str,
    date: &str,
    region: &str,
    service: &str,
    amz_date: &str,
    scope: &str,
    canonical: &str,
) -> Zeroizing<[u8; 32]> {
    let to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let secret = Zeroizing::new(format!("AWS4{secret}"));
    let k_date = hmac(secret.as_bytes(), date.as_bytes());
    let k_region = hmac(&*k_date, region.as_bytes());
    let k_service = hmac(&*k_region, service.as_bytes());
    let k_signing = hmac(&*k_service, b"aws4_request");
    hmac(&*k_signing, to_sign.as_bytes())
}

/// Signs a request: sets `x-amz-date` and `authorization` on `parts`,
/// signing `host`, `x-amz-date` and every `x-amz-*` and `content-type`
/// header present. For keyward's tests and load client.
pub fn sign(parts: &mut Parts, body: &[u8], access_key: &str, secret: &str, region: &str, service: &str, now: i64) {
    let amz_date = amz_date_of(now);
    if let Ok(value) = amz_date.parse() {
        parts.headers.insert("x-amz-date", value);
    }
    let mut signed: Vec<&str> = parts
        .headers
        .keys()
        .map(|k| k.as_str())
        .filter(|k| *k == "host" || *k == "content-type" || k.starts_with("x-amz-"))
        .collect();
    signed.sort_unstable();
    signed.dedup();
    let payload_hash = hex(&Sha256::digest(body));
    let Ok(canonical) = canonical_request(parts, &signed, &payload_hash) else {
        return;
    };
    let scope = format!("{}/{region}/{service}/aws4_request", &amz_date[..8]);
    let signature = signature(secret, &amz_date[..8], region, service, &amz_date, &scope, &canonical);
    let value = format!(
        "{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={}, Signature={}",
        signed.join(";"),
        hex(&*signature)
    );
    if let Ok(value) = value.parse() {
        parts.headers.insert("authorization", value);
    }
}

/// Hex digits (already checked) to bytes.
fn unhex(text: &str) -> Vec<u8> {
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            let digit = |c: u8| char::from(c).to_digit(16).unwrap_or(0) as u8;
            digit(pair[0]) << 4 | pair.get(1).map_or(0, |c| digit(*c))
        })
        .collect()
}

/// `20150830T123600Z` as epoch seconds.
pub fn parse_amz_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = text.get(range)?;
        digits
            .bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let (year, month, day) = (number(0..4)?, number(4..6)?, number(6..8)?);
    let (hour, minute, second) = (number(9..11)?, number(11..13)?, number(13..15)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    // Days from the civil date (H. Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Epoch seconds as `20150830T123600Z`.
pub fn amz_date_of(seconds: i64) -> String {
    crate::kms::runtime::rfc3339(seconds).replace(['-', ':'], "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)], body: &[u8]) -> (Parts, Vec<u8>) {
        let mut builder = hyper::Request::builder().method("POST").uri("/");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let (parts, ()) = builder.body(()).unwrap().into_parts();
        (parts, body.to_vec())
    }

    /// AWS's documented example (`get-vanilla-query-order-key-case` of the
    /// SigV4 test suite, secret `wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY`).
    #[test]
    fn the_aws_test_suite_vanilla_get_signature_verifies() {
        let header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
        let (parts, _) = {
            let (parts, ()) = hyper::Request::builder()
                .method("GET")
                .uri("/")
                .header("host", "example.amazonaws.com")
                .header("x-amz-date", "20150830T123600Z")
                .body(())
                .unwrap()
                .into_parts();
            (parts, ())
        };
        let auth = AuthorizationHeader::parse(header).unwrap();
        assert_eq!(auth.access_key, "AKIDEXAMPLE");
        assert_eq!(auth.region, "us-east-1");
        let now = parse_amz_date("20150830T123600Z").unwrap();
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        assert_eq!(auth.verify(&parts, b"", secret, "service", now), Ok(()));
        let wrong = auth.verify(&parts, b"", "another secret", "service", now).unwrap_err();
        assert_eq!(wrong.name, "InvalidSignatureException");
    }

    #[test]
    fn a_signed_request_verifies_and_any_change_is_refused() {
        let now = parse_amz_date("20261204T120000Z").unwrap();
        let body = br#"{"KeyId":"alias/app"}"#;
        let (mut parts, body) = parts(
            &[
                ("host", "127.0.0.1:4599"),
                ("content-type", "application/x-amz-json-1.1"),
                ("x-amz-target", "TrentService.Encrypt"),
            ],
            body,
        );
        sign(
            &mut parts,
            &body,
            "AKIAEXAMPLE000000001",
            "secret",
            "eu-west-1",
            "kms",
            now,
        );
        let header = parts.headers["authorization"].to_str().unwrap().to_owned();
        let auth = AuthorizationHeader::parse(&header).unwrap();
        assert_eq!(auth.verify(&parts, &body, "secret", "kms", now), Ok(()));
        let name = |r: Result<(), WireError>| r.unwrap_err().name;
        assert_eq!(
            name(auth.verify(&parts, b"{}", "secret", "kms", now)),
            "InvalidSignatureException"
        );
        assert_eq!(
            name(auth.verify(&parts, &body, "secret", "sts", now)),
            "InvalidSignatureException"
        );
        assert_eq!(
            name(auth.verify(&parts, &body, "secret", "kms", now + 16 * 60)),
            "InvalidSignatureException"
        );
        let mut retargeted = parts.clone();
        retargeted
            .headers
            .insert("x-amz-target", "TrentService.Decrypt".parse().unwrap());
        assert_eq!(
            name(auth.verify(&retargeted, &body, "secret", "kms", now)),
            "InvalidSignatureException"
        );
    }

    #[test]
    fn a_signature_that_leaves_out_the_target_is_refused() {
        let now = parse_amz_date("20261204T120000Z").unwrap();
        let (mut parts, body) = parts(&[("host", "127.0.0.1:4599")], b"{}");
        // Signed over host and date only, then given a target.
        sign(
            &mut parts,
            &body,
            "AKIAEXAMPLE000000001",
            "secret",
            "us-east-1",
            "kms",
            now,
        );
        parts
            .headers
            .insert("x-amz-target", "TrentService.Decrypt".parse().unwrap());
        let header = parts.headers["authorization"].to_str().unwrap().to_owned();
        let auth = AuthorizationHeader::parse(&header).unwrap();
        let error = auth.verify(&parts, &body, "secret", "kms", now).unwrap_err();
        assert_eq!(error.name, "IncompleteSignatureException");
    }

    #[test]
    fn malformed_authorization_headers_are_incomplete_signatures() {
        for header in [
            "",
            "AWS4-HMAC-SHA256",
            "AWS4-HMAC-SHA1 Credential=a/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/kms, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=zz",
            "AWS4-HMAC-SHA256 Credential=a/2026/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/kms/aws4_request, SignedHeaders=x-amz-date",
        ] {
            let error = AuthorizationHeader::parse(header).unwrap_err();
            assert_eq!(error.name, "IncompleteSignatureException", "{header}");
        }
    }

    #[test]
    fn only_regions_aws_has_are_accepted() {
        for good in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-4",
            "cn-north-1",
        ] {
            assert!(is_region(good), "{good}");
        }
        // Well-shaped made-up names too: each would open a runtime and a store.
        for bad in [
            "",
            "us-east",
            "useast1",
            "US-EAST-1",
            "us--1",
            "moon-base-1x",
            "u-east-1",
            "aa-b-1",
            "us-east-9",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
    }

    #[test]
    fn amz_dates_convert_both_ways() {
        assert_eq!(parse_amz_date("19700101T000000Z"), Some(0));
        assert_eq!(parse_amz_date("20150830T123600Z"), Some(1_440_938_160));
        assert_eq!(amz_date_of(1_440_938_160), "20150830T123600Z");
        for bad in [
            "20150830T123600",
            "2015-08-30T12:36:00Z",
            "20151330T123600Z",
            "2015083OT123600Z",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
    }
}
