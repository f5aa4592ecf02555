//! Encrypt, Decrypt and ReEncrypt under symmetric keys (and, when the
//! request names an asymmetric algorithm, RSA and SM2 keys:
//! `asymmetric_encryption`). A response that
//! carries a plaintext holds it in a [`Blob`] (zeroized when dropped); once
//! encoded to JSON, whoever writes it out wipes it (`op::wipe`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::asymmetric_encryption::{self, asymmetric, Side};
use super::blob::Blob;
use super::check;
use super::shapes::Context;
use super::{KeyIdForms, Op};
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::runtime::{Clock, ReEncryptCall, Runtime};
use crate::kms::Target;

const SYMMETRIC_DEFAULT: &str = "SYMMETRIC_DEFAULT";

fn unsupported(what: &str) -> KmsError {
    KmsError::new(ErrorName::UnsupportedOperationException, what.to_owned())
}

/// The members keyward cannot honour yet are refused, never ignored.
pub(super) fn refuse_unsupported(
    recipient: Option<&Value>,
    algorithms: &[(&str, Option<&str>)],
) -> Result<(), KmsError> {
    if recipient.is_some() {
        return Err(unsupported(
            "keyward has no Nitro Enclaves attestation; remove Recipient",
        ));
    }
    for (member, algorithm) in algorithms {
        match algorithm {
            None | Some(SYMMETRIC_DEFAULT | "RSAES_OAEP_SHA_1" | "RSAES_OAEP_SHA_256" | "SM2PKE") => {}
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
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

    fn dry_run(&self) -> bool {
        self.dry_run == Some(true)
    }

    fn validate(&self) -> Result<(), KmsError> {
        refuse_unsupported(None, &[("EncryptionAlgorithm", self.encryption_algorithm.as_deref())])?;
        check::key_id("KeyId", &self.key_id)
    }

    fn target(&self) -> Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<EncryptResponse, KmsError> {
        if let Some(algorithm) = asymmetric(self.encryption_algorithm.as_deref()) {
            let side = Side {
                key_id: &self.key_id,
                algorithm,
                grant_tokens: &self.grant_tokens,
            };
            return asymmetric_encryption::encrypt(rt, caller, side, &self.plaintext, &self.encryption_context);
        }
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
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
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
    /// Absent for an asymmetric key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_material_id: Option<String>,
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

    fn dry_run(&self) -> bool {
        self.dry_run == Some(true)
    }

    fn validate(&self) -> Result<(), KmsError> {
        refuse_unsupported(
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
        if let Some(algorithm) = asymmetric(self.encryption_algorithm.as_deref()) {
            let side = (algorithm, self.grant_tokens.as_slice());
            let key_id = self.key_id.as_deref();
            return asymmetric_encryption::decrypt(
                rt,
                caller,
                key_id,
                side,
                &self.ciphertext_blob,
                &self.encryption_context,
            );
        }
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
            key_material_id: Some(opened.key_material_id),
        })
    }
}

/// `ReEncrypt`: decrypt under the source key, encrypt under the destination.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
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
    /// The version of the source key's material that sealed the ciphertext.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_key_material_id: Option<String>,
    /// Absent for an asymmetric destination key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_key_material_id: Option<String>,
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

    fn dry_run(&self) -> bool {
        self.dry_run == Some(true)
    }

    fn validate(&self) -> Result<(), KmsError> {
        refuse_unsupported(
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

    /// The source key's partition: the one `SourceKeyId` names by ARN, else
    /// (no `SourceKeyId`) the one of the key the ciphertext names.
    fn target(&self) -> Target {
        let source = self.source_key_id.as_deref();
        super::target_of(&[source], source.is_some(), Some(&self.ciphertext_blob))
    }

    /// The destination key's partition: the one a key ARN or alias ARN
    /// names, else the caller's own (a bare key id or alias name).
    fn destination(&self) -> Option<Target> {
        Some(super::target_of_key(&self.destination_key_id))
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<ReEncryptResponse, KmsError> {
        self.run_on(rt, None, caller)
    }

    fn run_across<C: Clock>(
        &self,
        rt: &mut Runtime<C>,
        destination: &mut Runtime<C>,
        caller: &Caller,
    ) -> Result<ReEncryptResponse, KmsError> {
        self.run_on(rt, Some(destination), caller)
    }
}

impl ReEncrypt {
    /// Runs on the source key's runtime `rt` and, when the destination key is
    /// in another partition, its runtime.
    fn run_on<C: Clock>(
        &self,
        rt: &mut Runtime<C>,
        destination: Option<&mut Runtime<C>>,
        caller: &Caller,
    ) -> Result<ReEncryptResponse, KmsError> {
        let source_algorithm = asymmetric(self.source_encryption_algorithm.as_deref());
        let destination_algorithm = asymmetric(self.destination_encryption_algorithm.as_deref());
        if source_algorithm.is_some() || destination_algorithm.is_some() {
            let call = asymmetric_encryption::ReEncryption {
                ciphertext: &self.ciphertext_blob,
                source_key_id: self.source_key_id.as_deref(),
                source_algorithm,
                source_context: &self.source_encryption_context,
                destination_key_id: &self.destination_key_id,
                destination_algorithm,
                destination_context: &self.destination_encryption_context,
                grant_tokens: &self.grant_tokens,
            };
            return asymmetric_encryption::re_encrypt(rt, destination, caller, call);
        }
        let call = ReEncryptCall {
            ciphertext_blob: &self.ciphertext_blob,
            source_key_id: self.source_key_id.as_deref(),
            source_context: &self.source_encryption_context,
            destination_key_id: &self.destination_key_id,
            destination_context: &self.destination_encryption_context,
            grant_tokens: &self.grant_tokens,
        };
        let sealed = match destination {
            Some(other) => rt.re_encrypt_to(other, caller, &call)?,
            None => rt.re_encrypt(
                caller,
                call.ciphertext_blob,
                call.source_key_id,
                call.source_context,
                call.destination_key_id,
                call.destination_context,
                call.grant_tokens,
            )?,
        };
        let header = crate::crypto::peek(&self.ciphertext_blob).ok();
        let source_key_id = header
            .as_ref()
            .and_then(|header| rt.resolve(&header.key_id).ok().map(|k| k.arn.clone()));
        let source_key_material_id = header.map(|header| header.material_id.to_string());
        Ok(ReEncryptResponse {
            ciphertext_blob: Blob::new(sealed.ciphertext_blob),
            source_key_id,
            key_id: sealed.key_arn,
            source_encryption_algorithm: SYMMETRIC_DEFAULT.to_owned(),
            destination_encryption_algorithm: SYMMETRIC_DEFAULT.to_owned(),
            source_key_material_id,
            destination_key_material_id: Some(sealed.key_material_id),
        })
    }
}
