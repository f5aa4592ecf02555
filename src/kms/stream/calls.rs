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

/// Calls on the runtimes a caller already holds (a REPL statement holds
/// one partition's, and a second's when it names keys of two; a test): a
/// call whose key ARN names the partner's account and Region runs there,
/// every other on `runtime`, where a key of a third partition is not found.
pub struct OnRuntime<'a, C: Clock> {
    pub runtime: &'a mut Runtime<C>,
    pub partner: Option<&'a mut Runtime<C>>,
    pub caller: &'a Caller,
}

impl<'a, C: Clock> OnRuntime<'a, C> {
    /// Every call on one runtime.
    pub fn new(runtime: &'a mut Runtime<C>, caller: &'a Caller) -> Self {
        OnRuntime {
            runtime,
            partner: None,
            caller,
        }
    }

    fn runtime_of(&mut self, key_id: &str) -> &mut Runtime<C> {
        let arn = crate::arn::Arn::parse(key_id);
        match (&mut self.partner, arn) {
            (Some(partner), Some(arn)) if arn.account == partner.account && arn.region == partner.region => partner,
            _ => self.runtime,
        }
    }
}

impl<C: Clock> KeyCalls for OnRuntime<'_, C> {
    fn generate_data_key(
        &mut self,
        key_id: &str,
        bytes: usize,
        context: &BTreeMap<String, String>,
    ) -> Result<DataKey, KmsError> {
        let caller = self.caller;
        self.runtime_of(key_id)
            .generate_data_key(caller, key_id, None, Some(bytes as i64), context, &[], true)
    }

    fn encrypt(
        &mut self,
        key_id: &str,
        plaintext: &[u8],
        context: &BTreeMap<String, String>,
    ) -> Result<Encrypted, KmsError> {
        let caller = self.caller;
        self.runtime_of(key_id).encrypt(caller, key_id, plaintext, context, &[])
    }

    fn decrypt(
        &mut self,
        ciphertext_blob: &[u8],
        key_id: &str,
        context: &BTreeMap<String, String>,
    ) -> Result<Decrypted, KmsError> {
        let caller = self.caller;
        self.runtime_of(key_id)
            .decrypt(caller, ciphertext_blob, Some(key_id), context, &[])
    }

    fn key_arn(&mut self, key_id: &str) -> String {
        self.runtime_of(key_id)
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
