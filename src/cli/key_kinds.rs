//! The commands of the asymmetric and HMAC keys: `sign`, `verify`,
//! `get-public-key` (PEM), `generate-mac`, `verify-mac`,
//! `derive-shared-secret`, `generate-data-key-pair`, `encapsulate` and
//! `decapsulate`. Each builds the operation's JSON request and runs it
//! through `kms::op::run_json`, the path every front end shares; inputs are
//! `fileb://PATH`, `-` or text (binary members: base64), and `--out-file`
//! writes the main result's bytes (PEM for a public key).

use std::collections::BTreeMap;

use base64::Engine;
use clap::{Args, Subcommand};
use keyward::eval::Caller;
use keyward::kms::op;
use keyward::kms::runtime::{Runtime, SystemClock};
use serde_json::{json, Value};
use zeroize::Zeroizing;

use super::kms::{Failure, Printed};

/// The key-kind commands.
#[derive(Debug, Subcommand)]
pub enum KindCommand {
    /// Sign a message (or its digest) with an asymmetric SIGN_VERIFY key.
    Sign(SignArgs),
    /// Verify a signature; exit status 1 (`KMSInvalidSignatureException`) when it is not valid.
    Verify(VerifyArgs),
    /// The public key of an asymmetric key, as PEM (`--output text`) or DER in base64.
    GetPublicKey(PublicKeyArgs),
    /// An HMAC of a message with a GENERATE_VERIFY_MAC key.
    GenerateMac(MacArgs),
    /// Verify an HMAC; exit status 1 (`KMSInvalidMacException`) when it is not valid.
    VerifyMac(VerifyMacArgs),
    /// ECDH with a KEY_AGREEMENT key and a peer's public key.
    DeriveSharedSecret(DeriveArgs),
    /// An asymmetric data key pair, its private key sealed under a symmetric key.
    GenerateDataKeyPair(DataKeyPairArgs),
    /// A shared secret and its ML-KEM ciphertext.
    Encapsulate(EncapsulateArgs),
    /// The shared secret of an ML-KEM ciphertext.
    Decapsulate(DecapsulateArgs),
}

#[derive(Debug, Args)]
pub struct KeyAndTokens {
    #[arg(long)]
    pub key_id: String,
    /// Grant tokens (repeatable or comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub grant_tokens: Vec<String>,
    /// Check permissions and inputs without doing the operation.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    #[command(flatten)]
    pub key: KeyAndTokens,
    /// `fileb://PATH`, `-` for stdin, or the text itself.
    #[arg(long)]
    pub message: String,
    /// RAW (default), DIGEST or EXTERNAL_MU.
    #[arg(long)]
    pub message_type: Option<String>,
    #[arg(long)]
    pub signing_algorithm: String,
    /// Write the raw signature to this file.
    #[arg(long, value_name = "PATH")]
    pub out_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub key: KeyAndTokens,
    /// `fileb://PATH`, `-` for stdin, or the text itself.
    #[arg(long)]
    pub message: String,
    #[arg(long)]
    pub message_type: Option<String>,
    /// `fileb://PATH` (raw bytes) or base64.
    #[arg(long)]
    pub signature: String,
    #[arg(long)]
    pub signing_algorithm: String,
}

#[derive(Debug, Args)]
pub struct PublicKeyArgs {
    #[arg(long)]
    pub key_id: String,
    #[arg(long, value_delimiter = ',')]
    pub grant_tokens: Vec<String>,
    /// Write the public key to this file as PEM.
    #[arg(long, value_name = "PATH")]
    pub out_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct MacArgs {
    #[command(flatten)]
    pub key: KeyAndTokens,
    #[arg(long)]
    pub message: String,
    #[arg(long)]
    pub mac_algorithm: String,
    /// Write the raw MAC to this file.
    #[arg(long, value_name = "PATH")]
    pub out_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyMacArgs {
    #[command(flatten)]
    pub key: KeyAndTokens,
    #[arg(long)]
    pub message: String,
    /// `fileb://PATH` (raw bytes) or base64.
    #[arg(long)]
    pub mac: String,
    #[arg(long)]
    pub mac_algorithm: String,
}

#[derive(Debug, Args)]
pub struct DeriveArgs {
    #[command(flatten)]
    pub key: KeyAndTokens,
    /// The peer's public key: `fileb://PATH` (DER), `file://PATH` (PEM) or base64 DER.
    #[arg(long)]
    pub public_key: String,
    #[arg(long, default_value = "ECDH")]
    pub key_agreement_algorithm: String,
    /// Write the raw shared secret to this file.
    #[arg(long, value_name = "PATH")]
    pub out_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct DataKeyPairArgs {
    #[command(flatten)]
    pub key: KeyAndTokens,
    /// RSA_2048, ECC_NIST_P256, ECC_NIST_EDWARDS25519, ML_KEM_768, …
    #[arg(long)]
    pub key_pair_spec: String,
    /// `k=v,k2=v2` (repeatable).
    #[arg(long, value_name = "k=v,...")]
    pub encryption_context: Vec<String>,
    /// GenerateDataKeyPairWithoutPlaintext: no private key in the clear.
    #[arg(long)]
    pub without_plaintext: bool,
}

#[derive(Debug, Args)]
pub struct EncapsulateArgs {
    #[command(flatten)]
    pub key: KeyAndTokens,
    #[arg(long, default_value = "ML_KEM")]
    pub encapsulation_algorithm: String,
    /// Write the raw ciphertext to this file.
    #[arg(long, value_name = "PATH")]
    pub out_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct DecapsulateArgs {
    #[command(flatten)]
    pub key: KeyAndTokens,
    /// `fileb://PATH` (raw bytes) or base64.
    #[arg(long)]
    pub ciphertext: String,
    #[arg(long, default_value = "ML_KEM")]
    pub encapsulation_algorithm: String,
    /// Write the raw shared secret to this file.
    #[arg(long, value_name = "PATH")]
    pub out_file: Option<std::path::PathBuf>,
}

impl KindCommand {
    /// The key the command names (it runs in that key's partition).
    pub fn key_id(&self) -> &str {
        match self {
            KindCommand::Sign(a) => &a.key.key_id,
            KindCommand::Verify(a) => &a.key.key_id,
            KindCommand::GetPublicKey(a) => &a.key_id,
            KindCommand::GenerateMac(a) => &a.key.key_id,
            KindCommand::VerifyMac(a) => &a.key.key_id,
            KindCommand::DeriveSharedSecret(a) => &a.key.key_id,
            KindCommand::GenerateDataKeyPair(a) => &a.key.key_id,
            KindCommand::Encapsulate(a) => &a.key.key_id,
            KindCommand::Decapsulate(a) => &a.key.key_id,
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A message: the bytes of `fileb://PATH`, `file://PATH`, stdin or the text.
fn message(value: &str) -> Result<String, Failure> {
    Ok(b64(&super::kms::input(value)?))
}

/// A binary member: raw bytes from `fileb://PATH`, base64 otherwise.
fn binary(flag: &str, value: &str) -> Result<String, Failure> {
    let raw = super::kms::input(value)?;
    if value.starts_with("fileb://") {
        return Ok(b64(&raw));
    }
    let text = String::from_utf8_lossy(&raw);
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map(|bytes| b64(&bytes))
        .map_err(|_| Failure::Usage(format!("`{flag}` is not base64 (use `fileb://PATH` for a binary file)")))
}

/// A public key given as PEM (`file://PATH` or text) or DER (`fileb://PATH`, base64).
fn public_key(value: &str) -> Result<String, Failure> {
    let raw = super::kms::input(value)?;
    let text = String::from_utf8_lossy(&raw);
    if let Some(body) = text.trim().strip_prefix("-----BEGIN PUBLIC KEY-----") {
        let body: String = body
            .trim_end()
            .trim_end_matches("-----END PUBLIC KEY-----")
            .split_whitespace()
            .collect();
        return base64::engine::general_purpose::STANDARD
            .decode(body)
            .map(|der| b64(&der))
            .map_err(|_| Failure::Usage("`--public-key`: the PEM body is not base64".to_owned()));
    }
    binary("--public-key", value)
}

/// DER SubjectPublicKeyInfo as PEM (RFC 7468), 64 characters a line.
pub fn pem(der: &[u8]) -> String {
    let body = b64(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .filter_map(|line| std::str::from_utf8(line).ok())
        .collect();
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----",
        lines.join("\n")
    )
}

fn decode(value: &Value) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(
        value
            .as_str()
            .and_then(|text| base64::engine::general_purpose::STANDARD.decode(text).ok())
            .unwrap_or_default(),
    )
}

fn write(path: Option<&std::path::Path>, bytes: &[u8]) -> Result<(), Failure> {
    match path {
        Some(path) => {
            std::fs::write(path, bytes).map_err(|e| Failure::Usage(format!("cannot write `{}`: {e}", path.display())))
        }
        None => Ok(()),
    }
}

/// The members every key-kind request shares.
fn base(key: &KeyAndTokens) -> Value {
    let mut request = json!({"KeyId": key.key_id});
    if !key.grant_tokens.is_empty() {
        request["GrantTokens"] = json!(key.grant_tokens);
    }
    if key.dry_run {
        request["DryRun"] = json!(true);
    }
    request
}

/// Runs one key-kind command on the partition's runtime.
pub fn call(rt: &mut Runtime<SystemClock>, caller: &Caller, command: &KindCommand) -> Result<Printed, Failure> {
    let mut run = |name: &'static str, request: Value| {
        op::run_json(rt, caller, name, &request).map_err(|e| Failure::Kms(name, e))
    };
    let text_of = |json: Value, member: &str| {
        let text = json[member].as_str().unwrap_or_default().to_owned();
        Printed { json, text }
    };
    Ok(match command {
        KindCommand::Sign(args) => {
            let mut request = base(&args.key);
            request["Message"] = json!(message(&args.message)?);
            request["SigningAlgorithm"] = json!(args.signing_algorithm);
            if let Some(t) = &args.message_type {
                request["MessageType"] = json!(t);
            }
            let json = run("Sign", request)?;
            write(args.out_file.as_deref(), &decode(&json["Signature"]))?;
            text_of(json, "Signature")
        }
        KindCommand::Verify(args) => {
            let mut request = base(&args.key);
            request["Message"] = json!(message(&args.message)?);
            request["Signature"] = json!(binary("--signature", &args.signature)?);
            request["SigningAlgorithm"] = json!(args.signing_algorithm);
            if let Some(t) = &args.message_type {
                request["MessageType"] = json!(t);
            }
            let json = run("Verify", request)?;
            Printed {
                json,
                text: "valid".to_owned(),
            }
        }
        KindCommand::GetPublicKey(args) => {
            let mut request = json!({"KeyId": args.key_id});
            if !args.grant_tokens.is_empty() {
                request["GrantTokens"] = json!(args.grant_tokens);
            }
            let json = run("GetPublicKey", request)?;
            let pem = pem(&decode(&json["PublicKey"]));
            write(args.out_file.as_deref(), format!("{pem}\n").as_bytes())?;
            Printed { json, text: pem }
        }
        KindCommand::GenerateMac(args) => {
            let mut request = base(&args.key);
            request["Message"] = json!(message(&args.message)?);
            request["MacAlgorithm"] = json!(args.mac_algorithm);
            let json = run("GenerateMac", request)?;
            write(args.out_file.as_deref(), &decode(&json["Mac"]))?;
            text_of(json, "Mac")
        }
        KindCommand::VerifyMac(args) => {
            let mut request = base(&args.key);
            request["Message"] = json!(message(&args.message)?);
            request["Mac"] = json!(binary("--mac", &args.mac)?);
            request["MacAlgorithm"] = json!(args.mac_algorithm);
            let json = run("VerifyMac", request)?;
            Printed {
                json,
                text: "valid".to_owned(),
            }
        }
        KindCommand::DeriveSharedSecret(args) => {
            let mut request = base(&args.key);
            request["PublicKey"] = json!(public_key(&args.public_key)?);
            request["KeyAgreementAlgorithm"] = json!(args.key_agreement_algorithm);
            let json = run("DeriveSharedSecret", request)?;
            write(args.out_file.as_deref(), &decode(&json["SharedSecret"]))?;
            text_of(json, "SharedSecret")
        }
        KindCommand::GenerateDataKeyPair(args) => {
            let mut request = base(&args.key);
            request["KeyPairSpec"] = json!(args.key_pair_spec);
            let context: BTreeMap<String, String> =
                super::kms::context_pairs("--encryption-context", &args.encryption_context)?;
            if !context.is_empty() {
                request["EncryptionContext"] = json!(context);
            }
            let name = if args.without_plaintext {
                "GenerateDataKeyPairWithoutPlaintext"
            } else {
                "GenerateDataKeyPair"
            };
            let json = run(name, request)?;
            let parts = ["PrivateKeyCiphertextBlob", "PublicKey", "PrivateKeyPlaintext"];
            let text = parts
                .iter()
                .filter_map(|member| json[*member].as_str())
                .collect::<Vec<_>>()
                .join("\t");
            Printed { json, text }
        }
        KindCommand::Encapsulate(args) => {
            let mut request = base(&args.key);
            request["EncapsulationAlgorithm"] = json!(args.encapsulation_algorithm);
            let json = run("Encapsulate", request)?;
            write(args.out_file.as_deref(), &decode(&json["SharedSecretCiphertextBlob"]))?;
            let text = format!(
                "{}\t{}",
                json["SharedSecretCiphertextBlob"].as_str().unwrap_or_default(),
                json["SharedSecret"].as_str().unwrap_or_default()
            );
            Printed { json, text }
        }
        KindCommand::Decapsulate(args) => {
            let mut request = base(&args.key);
            request["SharedSecretCiphertextBlob"] = json!(binary("--ciphertext", &args.ciphertext)?);
            request["EncapsulationAlgorithm"] = json!(args.encapsulation_algorithm);
            let json = run("Decapsulate", request)?;
            write(args.out_file.as_deref(), &decode(&json["SharedSecret"]))?;
            text_of(json, "SharedSecret")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_wraps_the_der_in_base64_lines_of_64_characters() {
        let pem = pem(&[7u8; 91]);
        let lines: Vec<&str> = pem.lines().collect();
        assert_eq!(lines.first(), Some(&"-----BEGIN PUBLIC KEY-----"));
        assert_eq!(lines.last(), Some(&"-----END PUBLIC KEY-----"));
        assert_eq!(lines[1].len(), 64);
        assert_eq!(lines[1..lines.len() - 1].concat(), b64(&[7u8; 91]));
    }
}
