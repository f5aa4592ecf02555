//! `keyward import-wrap`: wraps local key material under the public key of
//! `GetParametersForImport`, as a client does before `ImportKeyMaterial`
//! (the steps of
//! <https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-encrypt-key-material.html>,
//! without openssl), so the whole import flow can be tried offline.

use std::io::Write as _;
use std::path::PathBuf;

use base64::Engine;
use keyward::crypto::import::{wrap, WrappingAlgorithm};
use keyward::crypto::keys::{KeySpec, PublicKey};
use keyward::source::read::{self, Kind};
use zeroize::Zeroizing;

use super::Exit;

/// Wrap key material for `ImportKeyMaterial`.
#[derive(Debug, clap::Args)]
pub struct ImportWrapArgs {
    /// The wrapping public key: `PublicKey` of `GetParametersForImport`, DER,
    /// or its base64 text.
    #[arg(long, value_name = "FILE")]
    pub public_key: PathBuf,
    /// The key material to wrap (raw bytes: 32 for a symmetric key, 28 to
    /// 128 for an HMAC key).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "private_key",
        conflicts_with = "private_key"
    )]
    pub material: Option<PathBuf>,
    /// For an asymmetric key: its private key as PKCS#8, PEM (`BEGIN
    /// PRIVATE KEY`, as `openssl genpkey` writes it) or DER. It is wrapped
    /// as DER, which AWS imports; use an RSA_AES_KEY_WRAP algorithm for RSA
    /// keys.
    #[arg(long, value_name = "FILE")]
    pub private_key: Option<PathBuf>,
    /// The `WrappingAlgorithm` given to `GetParametersForImport`.
    #[arg(long, value_name = "ALGORITHM", default_value = "RSAES_OAEP_SHA_256")]
    pub algorithm: String,
    /// Write the wrapped material here (raw bytes, for `fileb://`); without
    /// it, base64 on standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

fn fail(message: String) -> Exit {
    eprintln!("error: {message}");
    Exit::Failure
}

pub fn run(args: &ImportWrapArgs) -> Exit {
    let Some(algorithm) = WrappingAlgorithm::parse(&args.algorithm) else {
        let names: Vec<&str> = WrappingAlgorithm::ALL.iter().map(|a| a.as_str()).collect();
        return fail(format!(
            "unknown wrapping algorithm `{}` (one of {})",
            args.algorithm,
            names.join(", ")
        ));
    };
    let raw = match read::bytes(&args.public_key, Kind::Parameter) {
        Ok(raw) => raw,
        Err(e) => return fail(e.to_string()),
    };
    let text: String = String::from_utf8_lossy(&raw).split_whitespace().collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(text.as_bytes())
        .unwrap_or(raw);
    let specs = [KeySpec::Rsa2048, KeySpec::Rsa3072, KeySpec::Rsa4096, KeySpec::Sm2];
    let Some(public) = specs.into_iter().find_map(|spec| PublicKey::from_der(spec, &der).ok()) else {
        return fail(format!(
            "`{}` is not an RSA or SM2 public key (DER SubjectPublicKeyInfo)",
            args.public_key.display()
        ));
    };
    let material = match (&args.material, &args.private_key) {
        (Some(path), _) => read::secret_bytes(path, Kind::Parameter).map_err(|e| e.to_string()),
        (None, Some(path)) => read::secret_bytes(path, Kind::Parameter)
            .map_err(|e| e.to_string())
            .and_then(|raw| private_key_der(&raw, path)),
        (None, None) => Err("give --material or --private-key".to_owned()),
    };
    let material = match material {
        Ok(bytes) => bytes,
        Err(message) => return fail(message),
    };
    let wrapped = match wrap(&public, algorithm, &material) {
        Ok(wrapped) => wrapped,
        Err(_) => {
            return fail(format!(
                "the material cannot be wrapped with {} under this public key (too long for it?)",
                algorithm.as_str()
            ))
        }
    };
    let written = match &args.out {
        Some(path) => std::fs::write(path, &wrapped).map_err(|e| format!("cannot write `{}`: {e}", path.display())),
        None => writeln!(
            std::io::stdout(),
            "{}",
            base64::engine::general_purpose::STANDARD.encode(&wrapped)
        )
        .map_err(|e| format!("cannot write: {e}")),
    };
    match written {
        Ok(()) => Exit::Success,
        Err(message) => fail(message),
    }
}

/// A private key file as PKCS#8 DER, checked to be a key of some KMS
/// key spec (the spec of the KMS key is checked on import).
fn private_key_der(raw: &[u8], path: &std::path::Path) -> Result<Zeroizing<Vec<u8>>, String> {
    let name = path.display();
    let der = match std::str::from_utf8(raw).ok().filter(|text| text.contains("-----BEGIN")) {
        Some(text) => {
            let body = pem_body(text, "PRIVATE KEY").ok_or_else(|| {
                format!(
                    "`{name}` is not a PKCS#8 private key (`-----BEGIN PRIVATE KEY-----`); convert it with `openssl pkcs8 -topk8 -nocrypt -in {name}`"
                )
            })?;
            Zeroizing::new(
                base64::engine::general_purpose::STANDARD
                    .decode(body.as_bytes())
                    .map_err(|_| format!("`{name}`: the PEM body is not base64"))?,
            )
        }
        None => Zeroizing::new(raw.to_vec()),
    };
    let known = KeySpec::ALL
        .iter()
        .any(|spec| keyward::crypto::keys::PrivateKey::from_pkcs8_der(*spec, &der).is_ok());
    if !known {
        return Err(format!(
            "`{name}` is not an RSA, ECC or SM2 private key in PKCS#8 (PEM or DER)"
        ));
    }
    Ok(der)
}

/// The base64 body of the first PEM block labelled `label`, whitespace removed.
fn pem_body(text: &str, label: &str) -> Option<Zeroizing<String>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)? + begin.len();
    let stop = start + text[start..].find(&end)?;
    Some(Zeroizing::new(text[start..stop].split_whitespace().collect()))
}
