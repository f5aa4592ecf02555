//! The KMS operations as [`Operation`]s the [`Service`](super::Service) runs.
//!
//! [`Json`] is any operation given as its API name and its JSON request
//! (the members and shapes of `kms-service-2.json`): what `keyward serve`
//! decodes from HTTP, the REPL's `call` and the CLI send. It runs through
//! `kms::wire`, which reads the members, and the runtime.

use serde_json::Value;

use super::error::KmsError;
use super::runtime::{Clock, Runtime};
use super::service::{Operation, Target};
use super::KeyRef;
use crate::eval::Caller;

/// The operations AWS lets a principal of another account call on a key,
/// given the key's ARN (everything else acts in the caller's own account).
pub const CROSS_ACCOUNT: &[&str] = &[
    "CreateGrant",
    "Decrypt",
    "DescribeKey",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GetKeyRotationStatus",
    "ListGrants",
    "ReEncrypt",
    "RetireGrant",
    "RevokeGrant",
];

/// An operation by name, with its JSON request.
#[derive(Clone, Debug)]
pub struct Json<'a> {
    pub operation: &'a str,
    pub request: &'a Value,
}

impl Json<'_> {
    fn member(&self, name: &str) -> Option<&str> {
        self.request.get(name).and_then(Value::as_str)
    }
}

impl<C: Clock> Operation<C> for Json<'_> {
    type Response = Value;

    fn name(&self) -> &str {
        self.operation
    }

    /// A cross-account operation runs where the key ARN it names lives, or,
    /// given only a ciphertext, where the ciphertext's key lives; every other
    /// call runs in the caller's account.
    fn target(&self) -> Target {
        if !CROSS_ACCOUNT.contains(&self.operation) {
            return Target::Caller;
        }
        let named = ["KeyId", "SourceKeyId", "DestinationKeyId"]
            .iter()
            .filter_map(|member| self.member(member))
            .find_map(|key_id| KeyRef::parse(key_id).partition());
        if let Some(partition) = named {
            return Target::Arn(partition);
        }
        let key_given = self.member("KeyId").is_some() || self.member("SourceKeyId").is_some();
        let from_blob = self
            .member("CiphertextBlob")
            .filter(|_| !key_given)
            .and_then(|text| base64::Engine::decode(&base64::engine::general_purpose::STANDARD, text).ok())
            .and_then(|blob| crate::crypto::peek(&blob).ok());
        match from_blob {
            Some(header) => Target::KeyId(header.key_id),
            None => Target::Caller,
        }
    }

    fn run(&self, runtime: &mut Runtime<C>, caller: &Caller) -> Result<Value, KmsError> {
        super::wire::dispatch(runtime, caller, self.operation, self.request)
    }
}

/// Where a call that names `key_id` runs: the partition its ARN names, else
/// the caller's own.
pub fn target_of_key(key_id: &str) -> Target {
    KeyRef::parse(key_id).partition().map_or(Target::Caller, Target::Arn)
}

/// A front end's command given as the runtime calls it makes: the CLI's and
/// the REPL's commands, each one or a few KMS operations that the runtime
/// validates, authorizes and audits one by one. It reaches the runtime only
/// through [`Service::call`](super::Service::call) like any operation, so its
/// changes are committed (or undone) the same way.
pub struct Local<F> {
    pub name: &'static str,
    pub target: Target,
    pub run: F,
}

impl<C: Clock, F, R> Operation<C> for Local<F>
where
    F: Fn(&mut Runtime<C>, &Caller) -> Result<R, KmsError>,
{
    type Response = R;

    fn name(&self) -> &str {
        self.name
    }

    fn target(&self) -> Target {
        self.target.clone()
    }

    fn run(&self, runtime: &mut Runtime<C>, caller: &Caller) -> Result<R, KmsError> {
        (self.run)(runtime, caller)
    }
}
