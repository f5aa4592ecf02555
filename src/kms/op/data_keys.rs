//! Data keys and random bytes. `KeySpec` (`AES_128`, `AES_256`) or
//! `NumberOfBytes` (1 to 1024), exactly one, is checked by the runtime.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::blob::Blob;
use super::check;
use super::encrypt::refuse_unsupported;
use super::shapes::Context;
use super::{KeyIdForms, Op};
use crate::eval::Caller;
use crate::kms::error::KmsError;
use crate::kms::runtime::{Clock, Runtime};
use crate::kms::Target;

/// `GenerateDataKey`: a data key in clear and under the KMS key.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKey {
    pub key_id: String,
    #[serde(default)]
    pub encryption_context: Context,
    pub number_of_bytes: Option<i64>,
    pub key_spec: Option<String>,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
    /// `RecipientInfo` (Nitro Enclaves), refused.
    pub recipient: Option<Value>,
    pub dry_run: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyResponse {
    pub ciphertext_blob: Blob,
    pub key_id: String,
    pub key_material_id: String,
    /// Absent for `GenerateDataKeyWithoutPlaintext`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plaintext: Option<Blob>,
}

impl Op for GenerateDataKey {
    const NAME: &'static str = "GenerateDataKey";
    const ACTION: &'static str = "kms:GenerateDataKey";
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
    type Response = GenerateDataKeyResponse;

    fn dry_run(&self) -> bool {
        self.dry_run == Some(true)
    }

    fn validate(&self) -> Result<(), KmsError> {
        refuse_unsupported(self.recipient.as_ref(), &[])?;
        check::key_id("KeyId", &self.key_id)
    }

    fn target(&self) -> Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<GenerateDataKeyResponse, KmsError> {
        generate(rt, caller, self, true)
    }
}

/// `GenerateDataKeyWithoutPlaintext`: the data key under the KMS key only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyWithoutPlaintext {
    pub key_id: String,
    #[serde(default)]
    pub encryption_context: Context,
    pub key_spec: Option<String>,
    pub number_of_bytes: Option<i64>,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
    pub dry_run: Option<bool>,
}

impl Op for GenerateDataKeyWithoutPlaintext {
    const NAME: &'static str = "GenerateDataKeyWithoutPlaintext";
    const ACTION: &'static str = "kms:GenerateDataKeyWithoutPlaintext";
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
    type Response = GenerateDataKeyResponse;

    fn dry_run(&self) -> bool {
        self.dry_run == Some(true)
    }

    fn validate(&self) -> Result<(), KmsError> {
        refuse_unsupported(None, &[])?;
        check::key_id("KeyId", &self.key_id)
    }

    fn target(&self) -> Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<GenerateDataKeyResponse, KmsError> {
        let request = GenerateDataKey {
            key_id: self.key_id.clone(),
            encryption_context: self.encryption_context.clone(),
            number_of_bytes: self.number_of_bytes,
            key_spec: self.key_spec.clone(),
            grant_tokens: self.grant_tokens.clone(),
            recipient: None,
            dry_run: self.dry_run,
        };
        generate(rt, caller, &request, false)
    }
}

fn generate<C: Clock>(
    rt: &mut Runtime<C>,
    caller: &Caller,
    request: &GenerateDataKey,
    with_plaintext: bool,
) -> Result<GenerateDataKeyResponse, KmsError> {
    let data_key = rt.generate_data_key(
        caller,
        &request.key_id,
        request.key_spec.as_deref(),
        request.number_of_bytes,
        &request.encryption_context,
        &request.grant_tokens,
        with_plaintext,
    )?;
    Ok(GenerateDataKeyResponse {
        ciphertext_blob: Blob::new(data_key.ciphertext_blob),
        key_id: data_key.key_arn,
        key_material_id: data_key.key_material_id,
        plaintext: data_key.plaintext.map(Blob::from),
    })
}

/// `GenerateRandom`: 1 to 1024 random bytes (the runtime checks the count).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateRandom {
    pub number_of_bytes: Option<i64>,
    pub custom_key_store_id: Option<String>,
    /// `RecipientInfo` (Nitro Enclaves), refused.
    pub recipient: Option<Value>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateRandomResponse {
    pub plaintext: Blob,
}

impl Op for GenerateRandom {
    const NAME: &'static str = "GenerateRandom";
    const ACTION: &'static str = "kms:GenerateRandom";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::NoKey;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = GenerateRandomResponse;

    fn validate(&self) -> Result<(), KmsError> {
        refuse_unsupported(self.recipient.as_ref(), &[])?;
        check::opt_length("CustomKeyStoreId", self.custom_key_store_id.as_deref(), 1, 64)
    }

    /// With `CustomKeyStoreId`, the bytes come from that store's CloudHSM
    /// cluster, which must be connected (an external key store is
    /// `UnsupportedOperationException`, an unknown one
    /// `CustomKeyStoreNotFoundException`); keyward simulates the cluster and
    /// draws them from the operating system as for any other call.
    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<GenerateRandomResponse, KmsError> {
        let random = rt.generate_random_in(caller, self.number_of_bytes, self.custom_key_store_id.as_deref())?;
        Ok(GenerateRandomResponse {
            plaintext: Blob::from(random),
        })
    }
}
