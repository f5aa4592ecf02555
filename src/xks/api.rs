//! The XKS Proxy API v1 operations on keyward's own keys, without HTTP
//! (<https://github.com/aws/aws-kms-xksproxy-api-spec>, `xks_proxy_api_spec.md`):
//! `GetKeyMetadata`, `Encrypt`, `Decrypt` (AES-256-GCM, 12-byte IV, 16-byte
//! tag; the AAD is the 2-byte big-endian length of
//! `additionalAuthenticatedData`, that data, the 1-byte length of
//! `ciphertextMetadata` and that metadata, as the spec asks; the CDIV is
//! SHA-256 over AAD, metadata, IV, ciphertext and tag) and `GetHealthStatus`.
//! Errors are the spec's: an HTTP status and `{"errorName", "errorMessage"}`.

use std::collections::BTreeMap;

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// The largest plaintext or ciphertext taken (the spec asks for 4300 bytes).
const MAX_DATA_BYTES: usize = 64 * 1024;
/// The largest AAD taken (the spec asks for 8192 bytes).
const MAX_AAD_BYTES: usize = 8192;

/// A refusal: HTTP status, `errorName` and `errorMessage`.
#[derive(Debug, PartialEq, Eq)]
pub struct XksError {
    pub status: u16,
    pub name: &'static str,
    pub message: String,
}

impl XksError {
    pub fn new(status: u16, name: &'static str, message: impl Into<String>) -> XksError {
        XksError {
            status,
            name,
            message: message.into(),
        }
    }

    pub fn body(&self) -> Value {
        json!({"errorName": self.name, "errorMessage": self.message})
    }
}

fn validation(message: impl Into<String>) -> XksError {
    XksError::new(400, "ValidationException", message)
}

/// One external key: 256 bits, enabled or not.
pub struct XksKey {
    secret: Zeroizing<[u8; 32]>,
    pub enabled: bool,
}

impl XksKey {
    pub fn generate() -> XksKey {
        let mut secret = Zeroizing::new([0u8; 32]);
        secret.copy_from_slice(&crate::crypto::random_bytes(32));
        XksKey { secret, enabled: true }
    }
}

impl XksKey {
    fn cipher(&self) -> Result<Aes256Gcm, XksError> {
        Aes256Gcm::new_from_slice(self.secret.as_slice())
            .map_err(|_| XksError::new(500, "InternalException", "The key does not read."))
    }
}

impl std::fmt::Debug for XksKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "XksKey([REDACTED], enabled: {})", self.enabled)
    }
}

/// The proxy's keys, by external key id.
#[derive(Debug, Default)]
pub struct Keys(pub BTreeMap<String, XksKey>);

/// What a request asks, from its path after the URI prefix.
#[derive(Debug, PartialEq, Eq)]
pub enum Route<'a> {
    Health,
    Metadata(&'a str),
    Encrypt(&'a str),
    Decrypt(&'a str),
}

/// Routes `path` under `prefix` (`""` or `/something`); anything else is
/// `InvalidUriPathException`.
pub fn route<'a>(prefix: &str, path: &'a str) -> Result<Route<'a>, XksError> {
    let invalid = || XksError::new(404, "InvalidUriPathException", format!("No XKS Proxy API at {path}."));
    let rest = path
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix("/kms/xks/v1/"))
        .ok_or_else(invalid)?;
    if rest == "health" {
        return Ok(Route::Health);
    }
    let (id, operation) = rest
        .strip_prefix("keys/")
        .and_then(|rest| rest.rsplit_once('/'))
        .ok_or_else(invalid)?;
    if id.is_empty() || id.contains('/') {
        return Err(invalid());
    }
    match operation {
        "metadata" => Ok(Route::Metadata(id)),
        "encrypt" => Ok(Route::Encrypt(id)),
        "decrypt" => Ok(Route::Decrypt(id)),
        _ => Err(invalid()),
    }
}

fn text<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    body.get(name).and_then(Value::as_str)
}

/// A base64 member: `None` when absent, a `ValidationException` when not base64.
fn bytes(body: &Value, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>, XksError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => base64::engine::general_purpose::STANDARD
            .decode(text)
            .map(|b| Some(Zeroizing::new(b)))
            .map_err(|_| validation(format!("{name} is not base64."))),
        Some(_) => Err(validation(format!("{name} must be a base64 string."))),
    }
}

fn required(body: &Value, name: &str) -> Result<Zeroizing<Vec<u8>>, XksError> {
    bytes(body, name)?.ok_or_else(|| validation(format!("{name} is required.")))
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// The metadata every request but the health check carries.
fn check_metadata(body: &Value, health: bool) -> Result<(), XksError> {
    let metadata = body
        .get("requestMetadata")
        .filter(|m| m.is_object())
        .ok_or_else(|| validation("requestMetadata is required."))?;
    let mut members = vec!["kmsRequestId", "kmsOperation"];
    if !health {
        members.push("awsPrincipalArn");
    }
    for member in members {
        if text(metadata, member).is_none() {
            return Err(validation(format!("requestMetadata.{member} is required.")));
        }
    }
    Ok(())
}

/// The AES-GCM AAD of the spec's Encrypt: lengths included, so AAD and
/// metadata cannot be traded for each other.
fn full_aad(aad: &[u8], metadata: &[u8]) -> Vec<u8> {
    let mut full = Vec::with_capacity(3 + aad.len() + metadata.len());
    full.extend_from_slice(&(aad.len() as u16).to_be_bytes());
    full.extend_from_slice(aad);
    full.push(metadata.len() as u8);
    full.extend_from_slice(metadata);
    full
}

impl Keys {
    fn key(&self, id: &str) -> Result<&XksKey, XksError> {
        let key = self
            .0
            .get(id)
            .ok_or_else(|| XksError::new(404, "KeyNotFoundException", format!("No external key {id}.")))?;
        Ok(key)
    }

    fn enabled(&self, id: &str) -> Result<&XksKey, XksError> {
        let key = self.key(id)?;
        if !key.enabled {
            return Err(XksError::new(
                400,
                "InvalidStateException",
                format!("The external key {id} is disabled."),
            ));
        }
        Ok(key)
    }

    /// Answers one request: the JSON body of a 200, or the refusal.
    pub fn answer(&self, route: &Route<'_>, body: &Value) -> Result<Value, XksError> {
        match *route {
            Route::Health => {
                check_metadata(body, true)?;
                Ok(json!({
                    "xksProxyFleetSize": 1,
                    "xksProxyVendor": "keyward",
                    "xksProxyModel": concat!("keyward xks-proxy ", env!("CARGO_PKG_VERSION")),
                    "ekmVendor": "keyward",
                    "ekmFleetDetails": [{"id": "keyward-0", "model": "keyward in-memory keys", "healthStatus": "ACTIVE"}],
                }))
            }
            Route::Metadata(id) => {
                check_metadata(body, false)?;
                let key = self.key(id)?;
                Ok(json!({
                    "keySpec": "AES_256",
                    "keyUsage": ["ENCRYPT", "DECRYPT"],
                    "keyStatus": if key.enabled { "ENABLED" } else { "DISABLED" },
                }))
            }
            Route::Encrypt(id) => self.encrypt(id, body),
            Route::Decrypt(id) => self.decrypt(id, body),
        }
    }

    fn common(&self, id: &str, body: &Value) -> Result<(&XksKey, Zeroizing<Vec<u8>>), XksError> {
        check_metadata(body, false)?;
        if text(body, "encryptionAlgorithm") != Some("AES_GCM") {
            return Err(validation("encryptionAlgorithm must be AES_GCM."));
        }
        let key = self.enabled(id)?;
        let aad = bytes(body, "additionalAuthenticatedData")?.unwrap_or_default();
        if aad.len() > MAX_AAD_BYTES {
            return Err(XksError::new(
                501,
                "UnsupportedOperationException",
                format!("additionalAuthenticatedData is over {MAX_AAD_BYTES} bytes."),
            ));
        }
        Ok((key, aad))
    }

    fn encrypt(&self, id: &str, body: &Value) -> Result<Value, XksError> {
        let (key, aad) = self.common(id, body)?;
        let cdiv = match text(body, "ciphertextDataIntegrityValueAlgorithm") {
            None => false,
            Some("SHA_256") => true,
            Some(other) => {
                return Err(validation(format!(
                    "ciphertextDataIntegrityValueAlgorithm {other} is not SHA_256."
                )))
            }
        };
        let plaintext = required(body, "plaintext")?;
        if plaintext.len() > MAX_DATA_BYTES {
            return Err(XksError::new(
                501,
                "UnsupportedOperationException",
                format!("plaintext is over {MAX_DATA_BYTES} bytes."),
            ));
        }
        let mut iv = [0u8; 12];
        iv.copy_from_slice(&crate::crypto::random_bytes(12));
        let mut data = plaintext.to_vec();
        let tag = key
            .cipher()?
            .encrypt_inout_detached(&Nonce::from(iv), &full_aad(&aad, &[]), data.as_mut_slice().into())
            .map_err(|_| XksError::new(500, "InternalException", "Encryption failed."))?;
        let mut answer = json!({
            "ciphertext": b64(&data),
            "initializationVector": b64(&iv),
            "authenticationTag": b64(&tag),
        });
        if cdiv {
            let mut hash = Sha256::new();
            hash.update(&*aad);
            hash.update(iv);
            hash.update(&data);
            hash.update(tag);
            answer["ciphertextDataIntegrityValue"] = json!(b64(&hash.finalize()));
        }
        Ok(answer)
    }

    fn decrypt(&self, id: &str, body: &Value) -> Result<Value, XksError> {
        let (key, aad) = self.common(id, body)?;
        let invalid = |what: &str| XksError::new(400, "InvalidCiphertextException", what.to_owned());
        let ciphertext = required(body, "ciphertext")?;
        let iv = required(body, "initializationVector")?;
        let tag = required(body, "authenticationTag")?;
        let metadata = bytes(body, "ciphertextMetadata")?.unwrap_or_default();
        if ciphertext.len() > MAX_DATA_BYTES {
            return Err(XksError::new(
                501,
                "UnsupportedOperationException",
                format!("ciphertext is over {MAX_DATA_BYTES} bytes."),
            ));
        }
        let iv: [u8; 12] = iv
            .as_slice()
            .try_into()
            .map_err(|_| invalid("initializationVector must be 12 bytes (keyward makes no 16-byte IVs)."))?;
        let tag: [u8; 16] = tag
            .as_slice()
            .try_into()
            .map_err(|_| invalid("authenticationTag must be 16 bytes."))?;
        if metadata.len() > 20 {
            return Err(invalid("ciphertextMetadata must be at most 20 bytes."));
        }
        let mut data = Zeroizing::new(ciphertext.to_vec());
        key.cipher()?
            .decrypt_inout_detached(
                &Nonce::from(iv),
                &full_aad(&aad, &metadata),
                data.as_mut_slice().into(),
                &Tag::from(tag),
            )
            .map_err(|_| {
                invalid("The ciphertext, initialization vector, AAD or authentication tag is corrupted or invalid.")
            })?;
        Ok(json!({"plaintext": b64(&data)}))
    }
}
