//! The KMS operations, one typed request and response per operation of
//! `kms-service-2.json`, each an [`Operation`] the [`Service`] runs.
//!
//! Every operation implements [`Op`]: it declares its name, IAM action, the
//! `KeyId` forms it accepts, whether it mutates and which optional members
//! it takes, checks the model's constraints (`validate`), says where it runs
//! (`target`) and runs by calling the runtime, which authorizes and audits.
//! [`call_json`] is the JSON front door (`keyward serve`): decode, validate,
//! [`Service::call`], encode. Adding an operation is one file here plus one
//! line in the `operations!` list at the end of this file.

mod aliases;
mod asymmetric_encryption;
mod blob;
mod check;
mod custom_key_stores;
mod data_key_pairs;
mod data_keys;
mod decode;
mod dry_run;
mod encapsulation;
mod encrypt;
mod grants;
mod import;
mod key_agreement;
mod keys;
mod last_usage;
mod macs;
mod members;
pub mod model;
mod multi_region;
mod policies;
mod public_keys;
mod rotation;
mod shapes;
mod signing;
mod tags;
pub mod timestamp;

#[cfg(test)]
mod tests;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

pub use aliases::*;
pub use blob::Blob;
pub use custom_key_stores::*;
pub use data_key_pairs::*;
pub use data_keys::*;
pub use decode::decode;
pub use encapsulation::*;
pub use encrypt::*;
pub use grants::*;
pub use import::*;
pub use key_agreement::*;
pub use keys::*;
pub use last_usage::*;
pub use macs::*;
pub use multi_region::*;
pub use policies::*;
pub use public_keys::*;
pub use rotation::*;
pub use shapes::{AliasListEntry, Context, Empty, KeyListEntry, RotationsListEntry, Tag};
pub use signing::*;
pub use tags::*;

use super::error::{ErrorName, KmsError};
use super::runtime::{Clock, Runtime};
use super::service::{Answer, Operation, Service, Target};
use super::KeyRef;
use crate::eval::Caller;

/// The `KeyId` forms an operation accepts (AWS restricts many operations to
/// a key ID or key ARN; others accept alias names and alias ARNs too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyIdForms {
    /// The operation names no key.
    NoKey,
    /// Key ID, key ARN, alias name or alias ARN.
    Any,
    /// Key ID or key ARN only.
    IdOrArn,
}

/// One KMS operation's request, as the API model declares it.
pub trait Op: DeserializeOwned + Serialize + Sized {
    /// The API's name (`Encrypt`).
    const NAME: &'static str;
    /// The IAM action that authorizes it (`kms:Encrypt`).
    const ACTION: &'static str;
    /// Whether it changes keys, aliases or grants (CloudTrail's `readOnly: false`).
    const MUTATES: bool;
    /// How it names its key.
    const KEY_ID: KeyIdForms;
    /// Whether a principal of another account may call it on a key, given
    /// the key's ARN.
    const CROSS_ACCOUNT: bool;
    /// Whether the model gives it `DryRun`.
    const TAKES_DRY_RUN: bool;
    /// Whether the model gives it `GrantTokens`.
    const TAKES_GRANT_TOKENS: bool;
    /// The condition keys its own request members set in the request
    /// context, as the Service Authorization Reference names them; beyond
    /// them, every call carries [`crate::kms::EVERY_CALL_KEYS`] and a
    /// call on a key [`crate::kms::KEY_RESOURCE_KEYS`].
    const CONDITION_KEYS: &'static [&'static str];

    type Response: Serialize;

    /// The key the request names in its `KeyId` member, for an operation
    /// restricted to key IDs and key ARNs ([`KeyIdForms::IdOrArn`]).
    fn key_id(&self) -> Option<&str> {
        None
    }

    /// Whether the request sets `DryRun` (only read when [`Op::TAKES_DRY_RUN`]).
    fn dry_run(&self) -> bool {
        false
    }

    /// The model's constraints that the runtime does not already check
    /// (lengths, ranges, patterns), before anything else runs.
    fn validate(&self) -> Result<(), KmsError> {
        Ok(())
    }

    /// Where the call runs (the caller's own partition unless it names a key
    /// elsewhere by ARN).
    fn target(&self) -> Target {
        Target::Caller
    }

    /// Runs the call through the runtime's operation, which resolves the key,
    /// authorizes and audits it.
    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<Self::Response, KmsError>;

    /// A second partition the call reaches (`ReEncrypt`'s destination key);
    /// see [`Operation::destination`].
    fn destination(&self) -> Option<Target> {
        None
    }

    /// Runs the call on the runtimes of two partitions, `rt` the one
    /// [`Op::target`] names and `destination` the one [`Op::destination`]
    /// names, when they differ.
    fn run_across<C: Clock>(
        &self,
        rt: &mut Runtime<C>,
        destination: &mut Runtime<C>,
        caller: &Caller,
    ) -> Result<Self::Response, KmsError> {
        let _ = destination;
        self.run(rt, caller)
    }
}

impl<C: Clock, T: Op> Operation<C> for T {
    type Response = T::Response;

    fn name(&self) -> &str {
        T::NAME
    }

    fn target(&self) -> Target {
        Op::target(self)
    }

    fn run(&self, runtime: &mut Runtime<C>, caller: &Caller) -> Result<T::Response, KmsError> {
        run_op(self, ModelCheck::Due, runtime, None, caller)
    }

    fn destination(&self) -> Option<Target> {
        Op::destination(self)
    }

    fn run_across(
        &self,
        runtime: &mut Runtime<C>,
        destination: &mut Runtime<C>,
        caller: &Caller,
    ) -> Result<T::Response, KmsError> {
        run_op(self, ModelCheck::Due, runtime, Some(destination), caller)
    }
}

/// A request already checked against the API model: one [`read`] from
/// JSON, whose members were checked as they came (so `keyward serve` checks
/// each request once). Any other request (built in Rust by a library user)
/// is checked by [`Service::call`] before it runs.
struct Checked<T>(T);

/// Whether a request still needs the model's checks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ModelCheck {
    /// Built in Rust: check it.
    Due,
    /// Read from JSON by [`read`]: checked already.
    Done,
}

impl<C: Clock, T: Op> Operation<C> for Checked<T> {
    type Response = T::Response;

    fn name(&self) -> &str {
        T::NAME
    }

    fn target(&self) -> Target {
        Op::target(&self.0)
    }

    fn run(&self, runtime: &mut Runtime<C>, caller: &Caller) -> Result<T::Response, KmsError> {
        run_op(&self.0, ModelCheck::Done, runtime, None, caller)
    }

    fn destination(&self) -> Option<Target> {
        Op::destination(&self.0)
    }

    fn run_across(
        &self,
        runtime: &mut Runtime<C>,
        destination: &mut Runtime<C>,
        caller: &Caller,
    ) -> Result<T::Response, KmsError> {
        run_op(&self.0, ModelCheck::Done, runtime, Some(destination), caller)
    }
}

/// Checks `op`'s members against the API model, as [`read`] checks a JSON
/// request: its members as the wire would carry them.
fn check_model<T: Op>(op: &T) -> Result<(), KmsError> {
    let mut members = serde_json::to_value(op)
        .map_err(|_| KmsError::new(ErrorName::KMSInternalException, "The request could not be read."))?;
    let checked = model::check(T::NAME, &members);
    // A request may hold a plaintext or a password.
    wipe(&mut members);
    checked
}

/// Runs `op` on its runtime (and the destination's, for a call across two
/// partitions) in the order AWS does: the model's constraints (unless
/// already checked), the operation's own checks, the key forms it takes,
/// then the call, as a dry run if asked; a refusal before the runtime
/// audited anything is audited as refused.
fn run_op<C: Clock, T: Op>(
    op: &T,
    model_check: ModelCheck,
    runtime: &mut Runtime<C>,
    destination: Option<&mut Runtime<C>>,
    caller: &Caller,
) -> Result<T::Response, KmsError> {
    audited(runtime, caller, T::NAME, |rt| {
        if model_check == ModelCheck::Due {
            check_model(op)?;
        }
        op.validate()?;
        if T::KEY_ID == KeyIdForms::IdOrArn {
            key_id_only(op.key_id())?;
        }
        let dry_run = T::TAKES_DRY_RUN && op.dry_run();
        match destination {
            Some(other) if dry_run => dry_run::run_across(rt, other, |rt, other| Op::run_across(op, rt, other, caller)),
            Some(other) => Op::run_across(op, rt, other, caller),
            None if dry_run => dry_run::run(rt, |rt| Op::run(op, rt, caller)),
            None => Op::run(op, rt, caller),
        }
    })
}

/// Runs `f`; a call refused before the runtime audited it (invalid
/// members, say) is still a call, audited as refused.
fn audited<C: Clock, R>(
    rt: &mut Runtime<C>,
    caller: &Caller,
    name: &str,
    f: impl FnOnce(&mut Runtime<C>) -> Result<R, KmsError>,
) -> Result<R, KmsError> {
    let before = rt.audit.next_event_id();
    let result = f(rt);
    if let Err(error) = &result {
        if rt.audit.next_event_id() == before {
            rt.audit_refused(name, caller, error);
        }
    }
    result
}

/// An operation that AWS restricts to a key ID or key ARN refuses an alias
/// name or alias ARN as a key it cannot find (the `KeyId` member of each such
/// operation's API reference page: "Specify the key ID or key ARN").
fn key_id_only(key_id: Option<&str>) -> Result<(), KmsError> {
    match key_id {
        Some(key) if KeyRef::parse(key).is_alias() => Err(KmsError::new(
            ErrorName::NotFoundException,
            format!("Invalid keyId {key}"),
        )),
        _ => Ok(()),
    }
}

/// What an operation declares, as data (for listings, docs and tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Declared {
    pub name: &'static str,
    pub action: &'static str,
    pub mutates: bool,
    pub key_id: KeyIdForms,
    pub cross_account: bool,
    pub takes_dry_run: bool,
    pub takes_grant_tokens: bool,
    pub condition_keys: &'static [&'static str],
}

impl Declared {
    pub const fn of<T: Op>() -> Declared {
        Declared {
            name: T::NAME,
            action: T::ACTION,
            mutates: T::MUTATES,
            key_id: T::KEY_ID,
            cross_account: T::CROSS_ACCOUNT,
            takes_dry_run: T::TAKES_DRY_RUN,
            takes_grant_tokens: T::TAKES_GRANT_TOKENS,
            condition_keys: T::CONDITION_KEYS,
        }
    }
}

/// Whether the operation `name` changes state (a call that does waits for
/// its commit while it holds the service; see [`Service::answer`]).
pub fn mutates(name: &str) -> bool {
    DECLARED.iter().any(|d| d.name == name && d.mutates)
}

/// Whether the operation `name` must run off an async runtime's threads:
/// it changes state (and waits for its commit), or it generates a key pair
/// (an RSA_4096 pair takes seconds).
pub fn blocking(name: &str) -> bool {
    mutates(name) || matches!(name, "GenerateDataKeyPair" | "GenerateDataKeyPairWithoutPlaintext")
}

/// Where a call that names `key_id` runs: the partition its key or alias
/// ARN names, else the caller's own.
pub fn target_of_key(key_id: &str) -> Target {
    KeyRef::parse(key_id).partition().map_or(Target::Caller, Target::Arn)
}

/// Where a cross-account call runs: the partition the first key ARN among
/// `named` names; else, if it names no key (`key_given` false) and carries a
/// ciphertext, the partition of the key the ciphertext names; else the
/// caller's own.
fn target_of(named: &[Option<&str>], key_given: bool, blob: Option<&[u8]>) -> Target {
    if let Some(target) = named
        .iter()
        .flatten()
        .map(|key| target_of_key(key))
        .find(|t| *t != Target::Caller)
    {
        return target;
    }
    if key_given {
        return Target::Caller;
    }
    match blob.and_then(|blob| crate::crypto::peek(blob).ok()) {
        Some(header) => Target::KeyId(header.key_id),
        None => Target::Caller,
    }
}

/// [`target_of`] read from a raw request, for one that could not be decoded.
fn raw_target(request: &Value) -> Target {
    let member = |name: &str| request.get(name).and_then(Value::as_str);
    let blob = member("CiphertextBlob")
        .and_then(|text| base64::Engine::decode(&base64::engine::general_purpose::STANDARD, text).ok());
    let (key, source) = (member("KeyId"), member("SourceKeyId"));
    target_of(&[key, source], key.is_some() || source.is_some(), blob.as_deref())
}

/// [`Op::destination`] read from a raw request: `ReEncrypt`'s
/// `DestinationKeyId`.
fn raw_destination(request: &Value) -> Option<Target> {
    let key = request.get("DestinationKeyId").and_then(Value::as_str)?;
    Some(target_of_key(key))
}

/// A call refused while its request was read: audited where it would have
/// run, and answered with the error.
struct Refused {
    name: &'static str,
    error: KmsError,
    target: Target,
}

impl<C: Clock> Operation<C> for Refused {
    type Response = Value;

    fn name(&self) -> &str {
        self.name
    }

    fn target(&self) -> Target {
        self.target.clone()
    }

    fn run(&self, runtime: &mut Runtime<C>, caller: &Caller) -> Result<Value, KmsError> {
        refuse(runtime, self.name, caller, self.error.clone())
    }
}

/// Audits a call refused while its request was read, and answers its error.
fn refuse<C: Clock>(runtime: &mut Runtime<C>, name: &str, caller: &Caller, error: KmsError) -> Result<Value, KmsError> {
    runtime.audit_refused(name, caller, &error);
    Err(error)
}

fn encode<R: Serialize>(response: &R) -> Result<Value, KmsError> {
    serde_json::to_value(response)
        .map_err(|_| KmsError::new(ErrorName::KMSInternalException, "The response could not be written."))
}

/// `T` from its JSON request: decoded (types and required members), then
/// checked against the model's constraints, as AWS reads a request before it
/// authorizes it.
fn read<T: Op>(request: &Value) -> Result<T, KmsError> {
    let op = decode::<T>(request)?;
    model::check(T::NAME, request)?;
    Ok(op)
}

/// `T` from JSON through the service: read, then `Service::answer`
/// (validate, run, commit, audit), then encode.
fn answer_one<C: Clock + Clone, T: Op>(
    service: &Service<C>,
    caller: &Caller,
    region: &str,
    request: &Value,
) -> Answer<Value> {
    match read::<T>(request) {
        Ok(op) => service
            .answer(caller, region, &Checked(op))
            .map(|response| encode(&response)),
        Err(error) => {
            let target = if T::CROSS_ACCOUNT {
                raw_target(request)
            } else {
                Target::Caller
            };
            let refused = Refused {
                name: T::NAME,
                error,
                target,
            };
            service.answer(caller, region, &refused)
        }
    }
}

/// `T` from JSON on one runtime (a REPL statement already holds its
/// partition's runtime).
fn run_one<C: Clock, T: Op>(rt: &mut Runtime<C>, caller: &Caller, request: &Value) -> Result<Value, KmsError> {
    match read::<T>(request) {
        Ok(op) => run_op(&op, ModelCheck::Done, rt, None, caller).and_then(|response| encode(&response)),
        Err(error) => refuse(rt, T::NAME, caller, error),
    }
}

/// `T` from JSON on two partitions' runtimes (see [`Op::run_across`]).
fn run_across_one<C: Clock, T: Op>(
    rt: &mut Runtime<C>,
    destination: &mut Runtime<C>,
    caller: &Caller,
    request: &Value,
) -> Result<Value, KmsError> {
    match read::<T>(request) {
        Ok(op) => run_op(&op, ModelCheck::Done, rt, Some(destination), caller).and_then(|response| encode(&response)),
        Err(error) => refuse(rt, T::NAME, caller, error),
    }
}

/// An operation the API does not have is `UnknownOperationException`
/// (the AWS JSON protocol's answer to an unknown `X-Amz-Target`); one of the
/// API that keyward does not serve is `UnsupportedOperationException`
/// naming it. Neither is audited: it is no KMS call.
fn unknown(name: &str, request: &Value) -> Result<Value, KmsError> {
    if model::Model::get().request(name).is_none() {
        return Err(KmsError::new(ErrorName::UnknownOperationException, ""));
    }
    decode::<serde::de::IgnoredAny>(request)?;
    Err(KmsError::new(
        ErrorName::UnsupportedOperationException,
        format!("keyward does not implement the operation `{name}`"),
    ))
}

/// Registers operations: one line each.
macro_rules! operations {
    ($($op:ty),* $(,)?) => {
        /// The operations keyward serves, as the API names them.
        pub const NAMES: &[&str] = &[$(<$op as Op>::NAME),*];

        /// What each operation declares.
        pub const DECLARED: &[Declared] = &[$(Declared::of::<$op>()),*];

        /// Runs the operation `name` with its JSON request as `caller` in
        /// `region`, and returns its JSON response. An operation keyward
        /// does not serve is an `UnsupportedOperationException` naming it. A
        /// response may hold a plaintext or data key: [`wipe`] it once
        /// written out.
        pub fn call_json<C: Clock + Clone>(
            service: &Service<C>,
            caller: &Caller,
            region: &str,
            name: &str,
            request: &Value,
        ) -> Result<Value, KmsError> {
            answer_json(service, caller, region, name, request).wait()
        }

        /// [`call_json`] up to the wait for its audit commit (see
        /// [`Service::answer`]).
        pub fn answer_json<C: Clock + Clone>(
            service: &Service<C>,
            caller: &Caller,
            region: &str,
            name: &str,
            request: &Value,
        ) -> Answer<Value> {
            $(if name == <$op as Op>::NAME {
                return answer_one::<C, $op>(service, caller, region, request);
            })*
            Answer::from(unknown(name, request))
        }

        /// [`call_json`] on one partition's runtime, without the service's
        /// routing and commit (its caller commits: a REPL statement, a test).
        pub fn run_json<C: Clock>(
            rt: &mut Runtime<C>,
            caller: &Caller,
            name: &str,
            request: &Value,
        ) -> Result<Value, KmsError> {
            $(if name == <$op as Op>::NAME {
                return run_one::<C, $op>(rt, caller, request);
            })*
            unknown(name, request)
        }

        /// [`run_json`] across two partitions' runtimes (a `ReEncrypt` whose
        /// destination key is in another account).
        fn run_json_across<C: Clock>(
            rt: &mut Runtime<C>,
            destination: &mut Runtime<C>,
            caller: &Caller,
            name: &str,
            request: &Value,
        ) -> Result<Value, KmsError> {
            $(if name == <$op as Op>::NAME {
                return run_across_one::<C, $op>(rt, destination, caller, request);
            })*
            unknown(name, request)
        }
    };
}

operations! {
    CancelKeyDeletion,
    ConnectCustomKeyStore,
    CreateAlias,
    CreateCustomKeyStore,
    CreateGrant,
    CreateKey,
    Decapsulate,
    Decrypt,
    DeleteAlias,
    DeleteCustomKeyStore,
    DeleteImportedKeyMaterial,
    DeriveSharedSecret,
    DescribeCustomKeyStores,
    DescribeKey,
    DisableKey,
    DisableKeyRotation,
    DisconnectCustomKeyStore,
    EnableKey,
    EnableKeyRotation,
    Encapsulate,
    Encrypt,
    GenerateDataKey,
    GenerateDataKeyPair,
    GenerateDataKeyPairWithoutPlaintext,
    GenerateDataKeyWithoutPlaintext,
    GenerateMac,
    GenerateRandom,
    GetKeyLastUsage,
    GetKeyPolicy,
    GetParametersForImport,
    GetKeyRotationStatus,
    ImportKeyMaterial,
    GetPublicKey,
    ListAliases,
    ListGrants,
    ListKeyPolicies,
    ListKeyRotations,
    ListKeys,
    ListResourceTags,
    ListRetirableGrants,
    PutKeyPolicy,
    ReEncrypt,
    ReplicateKey,
    RetireGrant,
    RevokeGrant,
    RotateKeyOnDemand,
    ScheduleKeyDeletion,
    Sign,
    TagResource,
    UntagResource,
    UpdateAlias,
    UpdateCustomKeyStore,
    UpdateKeyDescription,
    UpdatePrimaryRegion,
    Verify,
    VerifyMac,
}

/// Zeroizes every string in a response: one holding a plaintext or a data
/// key must be wiped once it has been written out.
pub fn wipe(value: &mut Value) {
    use zeroize::Zeroize;
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(fields) => fields.values_mut().for_each(wipe),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// An operation by name, with its JSON request: [`call_json`] as an
/// [`Operation`], for callers that hold one.
#[derive(Clone, Debug)]
pub struct Json<'a> {
    pub operation: &'a str,
    pub request: &'a Value,
}

impl<C: Clock> Operation<C> for Json<'_> {
    type Response = Value;

    fn name(&self) -> &str {
        self.operation
    }

    fn target(&self) -> Target {
        let cross_account = DECLARED.iter().any(|d| d.name == self.operation && d.cross_account);
        if cross_account {
            raw_target(self.request)
        } else {
            Target::Caller
        }
    }

    fn run(&self, runtime: &mut Runtime<C>, caller: &Caller) -> Result<Value, KmsError> {
        run_json(runtime, caller, self.operation, self.request)
    }

    fn destination(&self) -> Option<Target> {
        let cross_account = DECLARED.iter().any(|d| d.name == self.operation && d.cross_account);
        raw_destination(self.request).filter(|_| cross_account)
    }

    fn run_across(
        &self,
        runtime: &mut Runtime<C>,
        destination: &mut Runtime<C>,
        caller: &Caller,
    ) -> Result<Value, KmsError> {
        run_json_across(runtime, destination, caller, self.operation, self.request)
    }
}

/// A front end's command given as the runtime calls it makes: the CLI's and
/// the REPL's commands, each one or a few KMS operations that the runtime
/// validates, authorizes and audits one by one. It reaches the runtime only
/// through [`Service::call`] like any operation, so its changes are
/// committed (or undone) the same way.
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
