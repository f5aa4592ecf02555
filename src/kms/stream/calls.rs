//! The KMS calls of envelope encryption: `GenerateDataKey` under the first
//! wrapping key, `Encrypt` under each further one, and `Decrypt` of the
//! encrypted copies in turn. A message's wrapping keys may belong to
//! several accounts: through the service, each call runs, is committed and
//! is audited in the partition of the key it names, as each is a separate
//! call to AWS KMS; on one runtime, every call runs there.

use std::collections::BTreeMap;

use crate::eval::Caller;
use crate::kms::error::KmsError;
use crate::kms::op::{target_of_key, Local};
use crate::kms::runtime::{Clock, DataKey, Decrypted, Encrypted, Runtime};
use crate::kms::Service;

/// What a sealer or opener asks KMS.
pub trait KeyCalls {
    /// `GenerateDataKey` of `bytes` bytes under `key_id`, with its plaintext.
    fn generate_data_key(
        &mut self,
        key_id: &str,
        bytes: usize,
        context: &BTreeMap<String, String>,
    ) -> Result<DataKey, KmsError>;

    /// `Encrypt` of a data key under `key_id`.
    fn encrypt(
        &mut self,
        key_id: &str,
        plaintext: &[u8],
        context: &BTreeMap<String, String>,
    ) -> Result<Encrypted, KmsError>;

    /// `Decrypt` of an encrypted data key, naming the key that encrypted it.
    fn decrypt(
        &mut self,
        ciphertext_blob: &[u8],
        key_id: &str,
        context: &BTreeMap<String, String>,
    ) -> Result<Decrypted, KmsError>;

    /// The ARN of the key a name resolves to (a key id or alias in the
    /// caller's account, or an ARN); the name itself when it resolves to
    /// nothing. Not a KMS call: neither authorized nor audited.
    fn key_arn(&mut self, key_id: &str) -> String;
}

/// Every call on one partition's runtime: a REPL statement, which holds it,
/// or a test. A key of another partition is not found there.
pub struct OnRuntime<'a, C: Clock> {
    pub runtime: &'a mut Runtime<C>,
    pub caller: &'a Caller,
}

impl<C: Clock> KeyCalls for OnRuntime<'_, C> {
    fn generate_data_key(
        &mut self,
        key_id: &str,
        bytes: usize,
        context: &BTreeMap<String, String>,
    ) -> Result<DataKey, KmsError> {
        self.runtime
            .generate_data_key(self.caller, key_id, None, Some(bytes as i64), context, &[], true)
    }

    fn encrypt(
        &mut self,
        key_id: &str,
        plaintext: &[u8],
        context: &BTreeMap<String, String>,
    ) -> Result<Encrypted, KmsError> {
        self.runtime.encrypt(self.caller, key_id, plaintext, context, &[])
    }

    fn decrypt(
        &mut self,
        ciphertext_blob: &[u8],
        key_id: &str,
        context: &BTreeMap<String, String>,
    ) -> Result<Decrypted, KmsError> {
        self.runtime
            .decrypt(self.caller, ciphertext_blob, Some(key_id), context, &[])
    }

    fn key_arn(&mut self, key_id: &str) -> String {
        self.runtime
            .resolve(key_id)
            .map_or_else(|_| key_id.to_owned(), |key| key.arn.clone())
    }
}

/// Each call a call of the service in the partition of the key it names
/// (`keyward serve` routes the same calls the same way).
pub struct ThroughService<'a, C: Clock + Clone> {
    service: &'a Service<C>,
    caller: &'a Caller,
    region: &'a str,
}

impl<'a, C: Clock + Clone> ThroughService<'a, C> {
    /// Calls by `caller`, in `region` (of the caller's account unless a
    /// key's ARN names another).
    pub fn new(service: &'a Service<C>, caller: &'a Caller, region: &'a str) -> Self {
        ThroughService {
            service,
            caller,
            region,
        }
    }

    fn on_key<R>(
        &self,
        name: &'static str,
        key_id: &str,
        run: impl Fn(&mut Runtime<C>, &Caller) -> Result<R, KmsError>,
    ) -> Result<R, KmsError> {
        let operation = Local {
            name,
            target: target_of_key(key_id),
            run,
        };
        self.service.call(self.caller, self.region, &operation)
    }
}

impl<C: Clock + Clone> KeyCalls for ThroughService<'_, C> {
    fn generate_data_key(
        &mut self,
        key_id: &str,
        bytes: usize,
        context: &BTreeMap<String, String>,
    ) -> Result<DataKey, KmsError> {
        self.on_key("GenerateDataKey", key_id, |rt, caller| {
            rt.generate_data_key(caller, key_id, None, Some(bytes as i64), context, &[], true)
        })
    }

    fn encrypt(
        &mut self,
        key_id: &str,
        plaintext: &[u8],
        context: &BTreeMap<String, String>,
    ) -> Result<Encrypted, KmsError> {
        self.on_key("Encrypt", key_id, |rt, caller| {
            rt.encrypt(caller, key_id, plaintext, context, &[])
        })
    }

    fn decrypt(
        &mut self,
        ciphertext_blob: &[u8],
        key_id: &str,
        context: &BTreeMap<String, String>,
    ) -> Result<Decrypted, KmsError> {
        self.on_key("Decrypt", key_id, |rt, caller| {
            rt.decrypt(caller, ciphertext_blob, Some(key_id), context, &[])
        })
    }

    fn key_arn(&mut self, key_id: &str) -> String {
        self.on_key("resolve", key_id, |rt, _| {
            Ok(rt.resolve(key_id).map(|key| key.arn.clone()).ok())
        })
        .ok()
        .flatten()
        .unwrap_or_else(|| key_id.to_owned())
    }
}
