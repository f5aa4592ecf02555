//! `DeriveSharedSecret`: ECDH between a `KEY_AGREEMENT` key (NIST curves or
//! SM2) and a peer's public key (DER SubjectPublicKeyInfo on the same
//! curve); the raw shared secret, as AWS returns it
//! (<https://docs.aws.amazon.com/kms/latest/APIReference/API_DeriveSharedSecret.html>).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::blob::Blob;
use super::{check, members, KeyIdForms, Op};
use crate::crypto::keys::KeyAgreementAlgorithm;
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::runtime::{crypto_error, dry_run, Clock, Runtime};
use crate::kms::{KeyUsage, Target};

/// `DeriveSharedSecret`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeriveSharedSecret {
    pub key_id: String,
    pub key_agreement_algorithm: String,
    pub public_key: Blob,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
    pub dry_run: Option<bool>,
    /// `RecipientInfo` (Nitro Enclaves), refused.
    pub recipient: Option<Value>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeriveSharedSecretResponse {
    pub key_id: String,
    pub shared_secret: Blob,
    pub key_agreement_algorithm: String,
    pub key_origin: String,
}

impl DeriveSharedSecret {
    fn read(&self) -> Result<KeyAgreementAlgorithm, KmsError> {
        check::key_id("KeyId", &self.key_id)?;
        members::blob("PublicKey", &self.public_key, 1, 8192)?;
        members::grant_tokens(&self.grant_tokens)?;
        members::no_recipient(self.recipient.as_ref())?;
        members::enum_value(
            "KeyAgreementAlgorithm",
            &self.key_agreement_algorithm,
            KeyAgreementAlgorithm::ALL,
        )
    }
}

impl Op for DeriveSharedSecret {
    const NAME: &'static str = "DeriveSharedSecret";
    const ACTION: &'static str = "kms:DeriveSharedSecret";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::Any;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = true;
    const TAKES_GRANT_TOKENS: bool = true;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:KeyAgreementAlgorithm", "kms:RequestAlias"];
    type Response = DeriveSharedSecretResponse;

    fn validate(&self) -> Result<(), KmsError> {
        self.read().map(|_| ())
    }

    fn target(&self) -> Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<DeriveSharedSecretResponse, KmsError> {
        let algorithm = self.read()?;
        let parameters = json!({
            "keyId": self.key_id,
            "keyAgreementAlgorithm": algorithm.as_str(),
            "dryRun": self.dry_run,
        });
        rt.audited(Self::NAME, caller, Some(&self.key_id), parameters, true, |rt| {
            let context = [("kms:KeyAgreementAlgorithm", algorithm.as_str())];
            let usage = Some(KeyUsage::KeyAgreement);
            let key = rt.key_for_use(caller, Self::ACTION, &self.key_id, usage, &self.grant_tokens, &context)?;
            if !members::spec(key)?.facts().key_agreement.contains(&algorithm) {
                return Err(members::incompatible(algorithm.as_str(), key));
            }
            dry_run(self.dry_run)?;
            let secret = rt
                .key_pair(key)?
                .private
                .derive_shared_secret(algorithm, &self.public_key)
                .map_err(|e| crypto_error(e, ErrorName::ValidationException))?;
            Ok(DeriveSharedSecretResponse {
                key_id: key.arn.clone(),
                shared_secret: Blob::from(secret),
                key_agreement_algorithm: algorithm.as_str().to_owned(),
                key_origin: "AWS_KMS".to_owned(),
            })
        })
    }
}
