//! The results a session keeps with `let NAME = …`, and how each is used
//! where a command needs a key, a ciphertext, a plaintext or a grant.
//! Plaintexts and data keys are zeroized when dropped and never printed
//! unless asked (`show $NAME plaintext`).

use zeroize::Zeroizing;

use crate::kms::wire::b64;

pub enum Value {
    Key {
        id: String,
        arn: String,
    },
    Ciphertext(Vec<u8>),
    Plaintext(Zeroizing<Vec<u8>>),
    DataKey {
        plaintext: Option<Zeroizing<Vec<u8>>>,
        ciphertext: Vec<u8>,
    },
    Grant {
        id: String,
        token: String,
    },
    /// An envelope (`seal`): header and frames.
    Sealed(Vec<u8>),
    Text(String),
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Value {
    /// What it is, in a few words, without any secret.
    pub fn describe(&self) -> String {
        match self {
            Value::Key { id, .. } => format!("key {id}"),
            Value::Ciphertext(blob) => format!("ciphertext, {} bytes", blob.len()),
            Value::Plaintext(p) => format!("plaintext, {} bytes (hidden)", p.len()),
            Value::DataKey { plaintext, ciphertext } => format!(
                "data key, {} (encrypted copy {} bytes)",
                plaintext.as_ref().map_or("no plaintext".to_owned(), |p| format!(
                    "{} bytes in plaintext (hidden)",
                    p.len()
                )),
                ciphertext.len()
            ),
            Value::Grant { id, .. } => format!("grant {id}"),
            Value::Sealed(bytes) => format!("envelope, {} bytes", bytes.len()),
            Value::Text(text) => format!("text `{text}`"),
        }
    }

    /// The kind, for "`$x` is a ciphertext, not a key".
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Key { .. } => "a key",
            Value::Ciphertext(_) => "a ciphertext",
            Value::Plaintext(_) => "a plaintext",
            Value::DataKey { .. } => "a data key",
            Value::Grant { .. } => "a grant",
            Value::Sealed(_) => "an envelope",
            Value::Text(_) => "a text",
        }
    }

    /// As a key identifier.
    pub fn key_id(&self) -> Option<String> {
        match self {
            Value::Key { arn, .. } => Some(arn.clone()),
            Value::Text(text) => Some(text.clone()),
            _ => None,
        }
    }

    /// As a ciphertext blob: a ciphertext, or a data key's encrypted copy.
    pub fn ciphertext(&self) -> Option<&[u8]> {
        match self {
            Value::Ciphertext(blob) | Value::DataKey { ciphertext: blob, .. } => Some(blob),
            _ => None,
        }
    }

    /// As a plaintext to encrypt.
    pub fn plaintext(&self) -> Option<Zeroizing<Vec<u8>>> {
        match self {
            Value::Plaintext(p) => Some(p.clone()),
            Value::DataKey { plaintext: Some(p), .. } => Some(p.clone()),
            Value::Text(text) => Some(Zeroizing::new(text.as_bytes().to_vec())),
            _ => None,
        }
    }

    /// As a grant id (`grant revoke`) or grant token (`token`, `grant retire`).
    pub fn grant(&self, token: bool) -> Option<String> {
        match self {
            Value::Grant { id, token: t } => Some(if token { t.clone() } else { id.clone() }),
            Value::Text(text) => Some(text.clone()),
            _ => None,
        }
    }

    /// The text a `show` prints; secrets only with `reveal`.
    pub fn show(&self, reveal: bool) -> Zeroizing<String> {
        let secret = |p: &[u8]| Zeroizing::new(printable(p));
        Zeroizing::new(match self {
            Value::Key { id, arn } => format!("key {id}\n  {arn}"),
            Value::Ciphertext(blob) => format!("ciphertext: {}", b64(blob)),
            Value::Plaintext(p) if reveal => return secret(p),
            Value::DataKey {
                plaintext: Some(p),
                ciphertext,
            } if reveal => {
                let mut text = Zeroizing::new(format!("encrypted: {}\nplaintext: ", b64(ciphertext)));
                text.push_str(&Zeroizing::new(b64(p)));
                return text;
            }
            Value::DataKey { ciphertext, .. } => format!(
                "{}\nencrypted: {}\n(`show NAME plaintext` prints the secret)",
                self.describe(),
                b64(ciphertext)
            ),
            Value::Plaintext(_) => format!("{}\n(`show NAME plaintext` prints it)", self.describe()),
            Value::Grant { id, token } => format!("grant {id}\n  token: {token}"),
            Value::Sealed(bytes) => format!("envelope: {}", b64(bytes)),
            Value::Text(text) => text.clone(),
        })
    }
}

/// A plaintext as text when it is printable UTF-8, else in base64.
pub fn printable(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') => text.to_owned(),
        _ => format!("(base64) {}", b64(bytes)),
    }
}
