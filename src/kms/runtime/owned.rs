//! AWS owned keys (§4.1): keys a service keeps in its own account and uses
//! on the customer's behalf, such as the default encryption of DynamoDB
//! tables. They are not in the account: `ListKeys` never shows them,
//! `DescribeKey` and `Decrypt` cannot find them, and their use is not in the
//! account's audit log. The program embedding keyward plays the service:
//! these calls are the service's own and no account policy governs them.

use std::collections::BTreeMap;

use zeroize::Zeroizing;

use super::aws_managed::{managed_service, MANAGED_SERVICES};
use super::key::KeyManager;
use super::{Clock, Runtime};
use crate::crypto;
use crate::kms::error::{ErrorName, KmsError};

/// The account an AWS owned key's ARN names: none of the customer's.
pub const AWS_OWNED_ACCOUNT: &str = "000000000000";

/// The policy of an AWS owned key: no principal of any account may use it
/// through the API.
const DENY_ALL: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}"#;

fn unknown_service(service: &str) -> KmsError {
    let known: Vec<&str> = MANAGED_SERVICES.iter().map(|s| s.name).collect();
    KmsError::new(
        ErrorName::ValidationException,
        format!(
            "`{service}` is not a service keyward keeps AWS owned keys for; use one of {}",
            known.join(", ")
        ),
    )
}

impl<C: Clock> Runtime<C> {
    /// Encrypts `plaintext` (1–4096 bytes) under `service`'s AWS owned key,
    /// creating the key on first use. Returns the ciphertext blob.
    pub fn aws_owned_encrypt(
        &mut self,
        service: &str,
        plaintext: &[u8],
        context: &BTreeMap<String, String>,
    ) -> Result<Vec<u8>, KmsError> {
        if plaintext.is_empty() || plaintext.len() > 4096 {
            return Err(KmsError::constraint(
                None,
                "plaintext",
                "have length between 1 and 4096",
            ));
        }
        if managed_service(&format!("alias/aws/{service}")).is_none() {
            return Err(unknown_service(service));
        }
        if !self.owned.contains_key(service) {
            let id = super::uuid();
            let arn = super::kms_arn(&self.region, AWS_OWNED_ACCOUNT, &format!("key/{id}"));
            let text = DENY_ALL.to_owned();
            let policy = self.compile_key_policy(&arn, &text)?;
            let key = self.new_key(id, arn, KeyManager::AwsOwned, service, text, policy);
            self.owned.insert(service.to_owned(), key);
        }
        let internal = || KmsError::new(ErrorName::KMSInternalException, "The AWS owned key has no material.");
        let key = self.owned.get(service).ok_or_else(internal)?;
        let current = key.current().ok_or_else(internal)?;
        crypto::seal(&current.material, current.id, &key.id, plaintext, context).ok_or_else(internal)
    }

    /// Decrypts a blob `aws_owned_encrypt` made for `service`. Any other
    /// blob, tampering or a different context is `InvalidCiphertextException`.
    pub fn aws_owned_decrypt(
        &self,
        service: &str,
        ciphertext_blob: &[u8],
        context: &BTreeMap<String, String>,
    ) -> Result<Zeroizing<Vec<u8>>, KmsError> {
        let invalid = || KmsError::new(ErrorName::InvalidCiphertextException, "");
        let header = crypto::peek(ciphertext_blob).map_err(|_| invalid())?;
        let key = self.owned.get(service).ok_or_else(invalid)?;
        if header.key_id != key.id {
            return Err(invalid());
        }
        let material = key.material(&header.material_id).ok_or_else(invalid)?;
        crypto::open(ciphertext_blob, &material.material, context).map_err(|_| invalid())
    }
}
