//! Encrypt, Decrypt and ReEncrypt under symmetric keys. A response that
//! carries a plaintext holds it in a [`Blob`] (zeroized when dropped); once
//! encoded to JSON, whoever writes it out wipes it (`op::wipe`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::blob::Blob;
use super::check;
use super::shapes::Context;
use super::{KeyIdForms, Op};
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::runtime::{Clock, Runtime};
use crate::kms::Target;

const SYMMETRIC_DEFAULT: &str = "SYMMETRIC_DEFAULT";

fn unsupported(what: &str) -> KmsError {
    KmsError::new(ErrorName::UnsupportedOperationException, what.to_owned())
}

/// The members keyward cannot honour yet are refused, never ignored: a
/// `DryRun` ignored would do what the caller asked not to be done.
pub(super) fn refuse_unsupported(
    dry_run: Option<bool>,
    recipient: Option<&Value>,
    algorithms: &[(&str, Option<&str>)],
) -> Result<(), KmsError> {
    if dry_run == Some(true) {
        return Err(unsupported(
            "keyward does not implement DryRun yet; the call was not made",
        ));
    }
    if recipient.is_some() {
        return Err(unsupported(
            "keyward has no Nitro Enclaves attestation; remove Recipient",
        ));
    }
    for (member, algorithm) in algorithms {
        match algorithm {
            None | Some(SYMMETRIC_DEFAULT) => {}
            Some(algorithm @ ("RSAES_OAEP_SHA_1" | "RSAES_OAEP_SHA_256" | "SM2PKE")) => {
                return Err(KmsError::new(
                    ErrorName::InvalidKeyUsageException,
                    format!("{algorithm} is not valid for a symmetric encryption key; use SYMMETRIC_DEFAULT"),
                ))
            }
            Some(other) => {
                return Err(KmsError::constraint(
                    Some(other),
                    &super::decode::camel(member),
                    "satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]",
                ));
            }
        }
    }
    Ok(())
}

/// `Encrypt`. Plaintext of 1 to 4096 bytes, the context size and the grant
/// tokens (at most 10, each 1 to 8192 characters) are checked by the runtime.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Encrypt {
    pub key_id: String,
    pub plaintext: Blob,
    #[serde(default)]
    pub encryption_context: Context,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
    pub encryption_algorithm: Option<String>,
    pub dry_run: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptResponse {
    pub ciphertext_blob: Blob,
    pub key_id: String,
    pub encryption_algorithm: String,
}

impl Op for Encrypt {
    const NAME: &'static str = "Encrypt";
    const ACTION: &'static str = "kms:Encrypt";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::Any;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = true;
    const TAKES_GRANT_TOKENS: bool = true;
    const CONDITION_KEYS: &'static [&'static str] = &[
        "kms:EncryptionAlgorithm",
        "kms:EncryptionContext:${EncryptionContextKey}",
        "kms:EncryptionContextKeys",
        "kms:RequestAlias",
    ];
    type Response = EncryptResponse;

    fn validate(&self) -> Result<(), KmsError> {
        refuse_unsupported(
            self.dry_run,
            None,
            &[("EncryptionAlgorithm", self.encryption_algorithm.as_deref())],
        )?;
        check::key_id("KeyId", &self.key_id)
    }

    fn target(&self) -> Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<EncryptResponse, KmsError> {
        let sealed = rt.encrypt(
            caller,
            &self.key_id,
            &self.plaintext,
            &self.encryption_context,
            &self.grant_tokens,
        )?;
        Ok(EncryptResponse {
            ciphertext_blob: Blob::new(sealed.ciphertext_blob),
            key_id: sealed.key_arn,
            encryption_algorithm: SYMMETRIC_DEFAULT.to_owned(),
        })
    }
}

/// `Decrypt`; without `KeyId`, the key the ciphertext names.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Decrypt {
    pub ciphertext_blob: Blob,
    #[serde(default)]
    pub encryption_context: Context,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
    pub key_id: Option<String>,
    pub encryption_algorithm: Option<String>,
    /// `RecipientInfo` (Nitro Enclaves), refused.
    pub recipient: Option<Value>,
    pub dry_run: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DecryptResponse {
    pub key_id: String,
    pub plaintext: Blob,
    pub encryption_algorithm: String,
    pub key_material_id: String,
}

impl Op for Decrypt {
    const NAME: &'static str = "Decrypt";
    const ACTION: &'static str = "kms:Decrypt";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::Any;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = true;
    const TAKES_GRANT_TOKENS: bool = true;
    const CONDITION_KEYS: &'static [&'static str] = &[
        "kms:EncryptionAlgorithm",
        "kms:EncryptionContext:${EncryptionContextKey}",
        "kms:EncryptionContextKeys",
        "kms:RequestAlias",
    ];
    type Response = DecryptResponse;

    fn validate(&self) -> Result<(), KmsError> {
        refuse_unsupported(
            self.dry_run,
            self.recipient.as_ref(),
            &[("EncryptionAlgorithm", self.encryption_algorithm.as_deref())],
        )?;
        check::opt_key_id("KeyId", self.key_id.as_deref())
    }

    fn target(&self) -> Target {
        let key = self.key_id.as_deref();
        super::target_of(&[key], key.is_some(), Some(&self.ciphertext_blob))
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<DecryptResponse, KmsError> {
        let opened = rt.decrypt(
            caller,
            &self.ciphertext_blob,
            self.key_id.as_deref(),
            &self.encryption_context,
            &self.grant_tokens,
        )?;
        Ok(DecryptResponse {
            key_id: opened.key_arn,
            plaintext: Blob::from(opened.plaintext),
            encryption_algorithm: SYMMETRIC_DEFAULT.to_owned(),
            key_material_id: opened.key_material_id,
        })
    }
}

/// `ReEncrypt`: decrypt under the source key, encrypt under the destination.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReEncrypt {
    pub ciphertext_blob: Blob,
    #[serde(default)]
    pub source_encryption_context: Context,
    pub source_key_id: Option<String>,
    pub destination_key_id: String,
    #[serde(default)]
    pub destination_encryption_context: Context,
    pub source_encryption_algorithm: Option<String>,
    pub destination_encryption_algorithm: Option<String>,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
    pub dry_run: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReEncryptResponse {
    pub ciphertext_blob: Blob,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_key_id: Option<String>,
    pub key_id: String,
    pub source_encryption_algorithm: String,
    pub destination_encryption_algorithm: String,
    pub destination_key_material_id: String,
}

impl Op for ReEncrypt {
    const NAME: &'static str = "ReEncrypt";
    // ReEncryptFrom on the source key, ReEncryptTo on the destination.
    const ACTION: &'static str = "kms:ReEncrypt*";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::Any;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = true;
    const TAKES_GRANT_TOKENS: bool = true;
    const CONDITION_KEYS: &'static [&'static str] = &[
        "kms:EncryptionAlgorithm",
        "kms:EncryptionContext:${EncryptionContextKey}",
        "kms:EncryptionContextKeys",
        "kms:RequestAlias",
        "kms:ReEncryptOnSameKey",
    ];
    type Response = ReEncryptResponse;

    fn validate(&self) -> Result<(), KmsError> {
        refuse_unsupported(
            self.dry_run,
            None,
            &[
                ("SourceEncryptionAlgorithm", self.source_encryption_algorithm.as_deref()),
                (
                    "DestinationEncryptionAlgorithm",
                    self.destination_encryption_algorithm.as_deref(),
                ),
            ],
        )?;
        check::opt_key_id("SourceKeyId", self.source_key_id.as_deref())?;
        check::key_id("DestinationKeyId", &self.destination_key_id)
    }

    fn target(&self) -> Target {
        let source = self.source_key_id.as_deref();
        super::target_of(
            &[source, Some(&self.destination_key_id)],
            source.is_some(),
            Some(&self.ciphertext_blob),
        )
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<ReEncryptResponse, KmsError> {
        let sealed = rt.re_encrypt(
            caller,
            &self.ciphertext_blob,
            self.source_key_id.as_deref(),
            &self.source_encryption_context,
            &self.destination_key_id,
            &self.destination_encryption_context,
            &self.grant_tokens,
        )?;
        let source_key_id = crate::crypto::peek(&self.ciphertext_blob)
            .ok()
            .and_then(|header| rt.resolve(&header.key_id).ok().map(|k| k.arn.clone()));
        Ok(ReEncryptResponse {
            ciphertext_blob: Blob::new(sealed.ciphertext_blob),
            source_key_id,
            key_id: sealed.key_arn,
            source_encryption_algorithm: SYMMETRIC_DEFAULT.to_owned(),
            destination_encryption_algorithm: SYMMETRIC_DEFAULT.to_owned(),
            destination_key_material_id: sealed.key_material_id,
        })
    }
}
