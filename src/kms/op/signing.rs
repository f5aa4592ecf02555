//! `Sign` and `Verify` with asymmetric `SIGN_VERIFY` keys (RSA, ECC,
//! Ed25519, SM2, ML-DSA). The request's `kms:SigningAlgorithm` and
//! `kms:MessageType` are condition keys. A signature that does not verify
//! is `KMSInvalidSignatureException`, never `SignatureValid: false`
//! (<https://docs.aws.amazon.com/kms/latest/APIReference/API_Verify.html>).

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::blob::Blob;
use super::{check, members, KeyIdForms, Op};
use crate::crypto::keys::{MessageType, SigningAlgorithm};
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::runtime::{crypto_error, dry_run, Clock, KeyPair, Runtime};
use crate::kms::{KeyUsage, Target};

/// `Sign`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Sign {
    pub key_id: String,
    pub message: Blob,
    pub message_type: Option<String>,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
    pub signing_algorithm: String,
    pub dry_run: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignResponse {
    pub key_id: String,
    pub signature: Blob,
    pub signing_algorithm: String,
}

/// `Verify`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Verify {
    pub key_id: String,
    pub message: Blob,
    pub message_type: Option<String>,
    pub signature: Blob,
    pub signing_algorithm: String,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
    pub dry_run: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyResponse {
    pub key_id: String,
    pub signature_valid: bool,
    pub signing_algorithm: String,
}

/// The members both operations share, read.
fn read(
    key_id: &str,
    message: &[u8],
    message_type: Option<&str>,
    algorithm: &str,
    grant_tokens: &[String],
) -> Result<(SigningAlgorithm, MessageType), KmsError> {
    check::key_id("KeyId", key_id)?;
    members::plaintext("Message", message)?;
    members::grant_tokens(grant_tokens)?;
    let algorithm = members::enum_value("SigningAlgorithm", algorithm, SigningAlgorithm::ALL)?;
    let message_type = message_type
        .map(|t| members::enum_value("MessageType", t, MessageType::ALL))
        .transpose()?
        .unwrap_or(MessageType::Raw);
    Ok((algorithm, message_type))
}

/// The request members `Sign` and `Verify` read alike.
struct Members<'a> {
    key_id: &'a str,
    message: &'a [u8],
    message_type: Option<&'a str>,
    algorithm: &'a str,
}

impl<'a> Members<'a> {
    fn of(key_id: &'a str, message: &'a [u8], message_type: Option<&'a str>, algorithm: &'a str) -> Self {
        Members {
            key_id,
            message,
            message_type,
            algorithm,
        }
    }
}

/// The one path of `Sign` and `Verify`: reads the members, then, audited,
/// authorizes the call on its key with `kms:SigningAlgorithm` and
/// `kms:MessageType`, checks the key and message, answers a dry run, and
/// runs `use_key` with the key's ARN and key pair.
#[allow(clippy::too_many_arguments)]
fn signing_call<C: Clock, R>(
    rt: &Runtime<C>,
    caller: &Caller,
    name: &str,
    action: &str,
    request: Members<'_>,
    grant_tokens: &[String],
    dry: Option<bool>,
    use_key: impl FnOnce(&str, &KeyPair, SigningAlgorithm, MessageType) -> Result<R, KmsError>,
) -> Result<R, KmsError> {
    let Members {
        key_id,
        message,
        message_type,
        algorithm,
    } = request;
    let (algorithm, message_type) = read(key_id, message, message_type, algorithm, grant_tokens)?;
    let parameters = json!({
        "keyId": key_id,
        "signingAlgorithm": algorithm.as_str(),
        "messageType": message_type.as_str(),
        "dryRun": dry,
    });
    rt.audited(name, caller, Some(key_id), parameters, true, |rt| {
        let context = [
            ("kms:SigningAlgorithm", algorithm.as_str()),
            ("kms:MessageType", message_type.as_str()),
        ];
        let key = rt.key_for_use(
            caller,
            action,
            key_id,
            Some(KeyUsage::SignVerify),
            grant_tokens,
            &context,
        )?;
        members::check_signing(key, algorithm, message_type, message)?;
        dry_run(dry)?;
        let pair = rt.key_pair(key)?;
        use_key(&key.arn, &pair, algorithm, message_type)
    })
}

impl Op for Sign {
    const NAME: &'static str = "Sign";
    const ACTION: &'static str = "kms:Sign";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::Any;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = true;
    const TAKES_GRANT_TOKENS: bool = true;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:SigningAlgorithm", "kms:MessageType", "kms:RequestAlias"];
    type Response = SignResponse;

    fn validate(&self) -> Result<(), KmsError> {
        let (key, message, kind) = (&self.key_id, &self.message, self.message_type.as_deref());
        read(key, message, kind, &self.signing_algorithm, &self.grant_tokens).map(|_| ())
    }

    fn target(&self) -> Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<SignResponse, KmsError> {
        let members = Members::of(
            &self.key_id,
            &self.message,
            self.message_type.as_deref(),
            &self.signing_algorithm,
        );
        signing_call(
            rt,
            caller,
            Self::NAME,
            Self::ACTION,
            members,
            &self.grant_tokens,
            self.dry_run,
            |arn, pair, algorithm, message_type| {
                let signature = pair
                    .private
                    .sign(algorithm, message_type, &self.message)
                    .map_err(|e| crypto_error(e, ErrorName::KMSInternalException))?;
                Ok(SignResponse {
                    key_id: arn.to_owned(),
                    signature: Blob::new(signature),
                    signing_algorithm: algorithm.as_str().to_owned(),
                })
            },
        )
    }
}

impl Op for Verify {
    const NAME: &'static str = "Verify";
    const ACTION: &'static str = "kms:Verify";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::Any;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = true;
    const TAKES_GRANT_TOKENS: bool = true;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:SigningAlgorithm", "kms:MessageType", "kms:RequestAlias"];
    type Response = VerifyResponse;

    fn validate(&self) -> Result<(), KmsError> {
        let (key, message, kind) = (&self.key_id, &self.message, self.message_type.as_deref());
        read(key, message, kind, &self.signing_algorithm, &self.grant_tokens)?;
        members::blob("Signature", &self.signature, 1, 6144)
    }

    fn target(&self) -> Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<VerifyResponse, KmsError> {
        let members = Members::of(
            &self.key_id,
            &self.message,
            self.message_type.as_deref(),
            &self.signing_algorithm,
        );
        signing_call(
            rt,
            caller,
            Self::NAME,
            Self::ACTION,
            members,
            &self.grant_tokens,
            self.dry_run,
            |arn, pair, algorithm, message_type| {
                pair.public
                    .verify(algorithm, message_type, &self.message, &self.signature)
                    .map_err(|e| crypto_error(e, ErrorName::KMSInvalidSignatureException))?;
                Ok(VerifyResponse {
                    key_id: arn.to_owned(),
                    signature_valid: true,
                    signing_algorithm: algorithm.as_str().to_owned(),
                })
            },
        )
    }
}
