//! `GenerateDataKeyPair` and `GenerateDataKeyPairWithoutPlaintext`: a fresh
//! key pair of a `DataKeyPairSpec`, its private key (PKCS#8 DER) sealed
//! under a symmetric encryption key with the encryption context, its public
//! key as DER SubjectPublicKeyInfo; `kms:DataKeyPairSpec` is a condition key
//! (<https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPair.html>).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::blob::Blob;
use super::shapes::Context;
use super::{check, members, KeyIdForms, Op};
use crate::crypto::keys::spec::Regions;
use crate::crypto::keys::{KeySpec, PrivateKey};
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::runtime::{dry_run, Clock, Runtime};
use crate::kms::Target;

/// `GenerateDataKeyPair`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyPair {
    #[serde(default)]
    pub encryption_context: Context,
    pub key_id: String,
    pub key_pair_spec: String,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
    /// `RecipientInfo` (Nitro Enclaves), refused.
    pub recipient: Option<Value>,
    pub dry_run: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyPairResponse {
    pub private_key_ciphertext_blob: Blob,
    /// Absent for `GenerateDataKeyPairWithoutPlaintext`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_key_plaintext: Option<Blob>,
    pub public_key: Blob,
    pub key_id: String,
    pub key_pair_spec: String,
    pub key_material_id: String,
}

/// `GenerateDataKeyPairWithoutPlaintext`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyPairWithoutPlaintext {
    #[serde(default)]
    pub encryption_context: Context,
    pub key_id: String,
    pub key_pair_spec: String,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
    pub dry_run: Option<bool>,
}

/// The `DataKeyPairSpec` values, in the model's order.
fn data_key_pair_specs() -> Vec<KeySpec> {
    KeySpec::ALL
        .iter()
        .copied()
        .filter(|s| s.is_data_key_pair_spec())
        .collect()
}

fn read(key_id: &str, key_pair_spec: &str, grant_tokens: &[String]) -> Result<KeySpec, KmsError> {
    check::key_id("KeyId", key_id)?;
    members::grant_tokens(grant_tokens)?;
    members::enum_value("KeyPairSpec", key_pair_spec, &data_key_pair_specs())
}

/// SM2 pairs exist in the China Regions only, ML-KEM pairs everywhere else.
fn check_region(spec: KeySpec, region: &str) -> Result<(), KmsError> {
    let china = region.starts_with("cn-");
    let available = match spec.facts().regions {
        Regions::All => true,
        Regions::ChinaOnly => china,
        Regions::NotChina => !china,
    };
    if available {
        Ok(())
    } else {
        Err(KmsError::new(
            ErrorName::UnsupportedOperationException,
            format!("KeyPairSpec {spec} is not supported in the {region} Region."),
        ))
    }
}

/// Both operations: authorize on the symmetric key with the context and
/// `kms:DataKeyPairSpec`, generate, seal the private key.
#[allow(clippy::too_many_arguments)]
fn generate<C: Clock>(
    rt: &mut Runtime<C>,
    caller: &Caller,
    name: &str,
    action: &str,
    request: (&str, &str, &Context, &[String], Option<bool>),
    with_plaintext: bool,
) -> Result<GenerateDataKeyPairResponse, KmsError> {
    let (key_id, key_pair_spec, context, grant_tokens, dry) = request;
    let spec = read(key_id, key_pair_spec, grant_tokens)?;
    crate::kms::runtime::check_shared_members(&[("encryptionContext", context)], grant_tokens)?;
    let parameters = json!({
        "keyId": key_id,
        "keyPairSpec": spec.as_str(),
        "encryptionContext": context,
        "dryRun": dry,
    });
    rt.audited(name, caller, Some(key_id), parameters, true, |rt| {
        let extra = [("kms:DataKeyPairSpec", spec.as_str())];
        let id = rt.for_crypto(caller, action, key_id, context, grant_tokens, &extra)?;
        check_region(spec, &rt.region)?;
        dry_run(dry)?;
        let internal = |_| KmsError::new(ErrorName::KMSInternalException, "The key pair could not be generated.");
        // Drawn once across the rounds of a call that waits for a proxy.
        let pair = rt.replayed(("data key pair", id.clone(), spec), || {
            PrivateKey::generate_data_key_pair(spec).map(|p| (p.private_key_pkcs8, p.public_key_spki))
        });
        let (private_key_pkcs8, public_key_spki) = pair.map_err(internal)?;
        let sealed = rt.seal(&id, &private_key_pkcs8, context, caller, name)?;
        Ok(GenerateDataKeyPairResponse {
            private_key_ciphertext_blob: Blob::new(sealed.ciphertext_blob),
            private_key_plaintext: with_plaintext.then(|| Blob::from(private_key_pkcs8)),
            public_key: Blob::new(public_key_spki),
            key_id: sealed.key_arn,
            key_pair_spec: spec.as_str().to_owned(),
            key_material_id: sealed.key_material_id,
        })
    })
}

impl Op for GenerateDataKeyPair {
    const NAME: &'static str = "GenerateDataKeyPair";
    const ACTION: &'static str = "kms:GenerateDataKeyPair";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::Any;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = true;
    const TAKES_GRANT_TOKENS: bool = true;
    const CONDITION_KEYS: &'static [&'static str] = &[
        "kms:DataKeyPairSpec",
        "kms:EncryptionAlgorithm",
        "kms:EncryptionContext:${EncryptionContextKey}",
        "kms:EncryptionContextKeys",
        "kms:RequestAlias",
    ];
    type Response = GenerateDataKeyPairResponse;

    fn validate(&self) -> Result<(), KmsError> {
        members::no_recipient(self.recipient.as_ref())?;
        read(&self.key_id, &self.key_pair_spec, &self.grant_tokens).map(|_| ())
    }

    fn target(&self) -> Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<GenerateDataKeyPairResponse, KmsError> {
        let request = (
            self.key_id.as_str(),
            self.key_pair_spec.as_str(),
            &self.encryption_context,
            self.grant_tokens.as_slice(),
            self.dry_run,
        );
        generate(rt, caller, Self::NAME, Self::ACTION, request, true)
    }
}

impl Op for GenerateDataKeyPairWithoutPlaintext {
    const NAME: &'static str = "GenerateDataKeyPairWithoutPlaintext";
    const ACTION: &'static str = "kms:GenerateDataKeyPairWithoutPlaintext";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::Any;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = true;
    const TAKES_GRANT_TOKENS: bool = true;
    const CONDITION_KEYS: &'static [&'static str] = &[
        "kms:DataKeyPairSpec",
        "kms:EncryptionAlgorithm",
        "kms:EncryptionContext:${EncryptionContextKey}",
        "kms:EncryptionContextKeys",
        "kms:RequestAlias",
    ];
    type Response = GenerateDataKeyPairResponse;

    fn validate(&self) -> Result<(), KmsError> {
        read(&self.key_id, &self.key_pair_spec, &self.grant_tokens).map(|_| ())
    }

    fn target(&self) -> Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<GenerateDataKeyPairResponse, KmsError> {
        let request = (
            self.key_id.as_str(),
            self.key_pair_spec.as_str(),
            &self.encryption_context,
            self.grant_tokens.as_slice(),
            self.dry_run,
        );
        generate(rt, caller, Self::NAME, Self::ACTION, request, false)
    }
}
