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

use super::Exit;

/// Wrap key material for `ImportKeyMaterial`.
#[derive(Debug, clap::Args)]
pub struct ImportWrapArgs {
    /// The wrapping public key: `PublicKey` of `GetParametersForImport`, DER,
    /// or its base64 text.
    #[arg(long, value_name = "FILE")]
    pub public_key: PathBuf,
    /// The key material to wrap (raw bytes: 32 for a symmetric key).
    #[arg(long, value_name = "FILE")]
    pub material: PathBuf,
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
    let material = match read::secret_bytes(&args.material, Kind::Parameter) {
        Ok(bytes) => bytes,
        Err(e) => return fail(e.to_string()),
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
