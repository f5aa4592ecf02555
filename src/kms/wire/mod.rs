//! The KMS JSON API (AWS JSON 1.1, target `TrentService.<Operation>`): each
//! operation's request and response with the member names and shapes of the
//! API model (`kms-service-2.json`), blobs in base64. [`dispatch`] runs one
//! operation on a runtime. The CLI prints these shapes, the conformance
//! suite (`policies/conformance/`) is written in them, and an HTTP front end
//! needs nothing more than this and a signature check.

mod aliases;
mod crypto;
mod grants;
mod keys;
mod members;
mod shapes;

use serde_json::Value;

pub use grants::grant_from_request;
pub use shapes::{alias_entry, b64, grant_entry, key_metadata, list, whole_list, wipe};

use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::runtime::{Clock, Runtime};
use members::Members;

/// The operations [`dispatch`] serves, as the API names them.
pub const OPERATIONS: &[&str] = &[
    "CancelKeyDeletion",
    "CreateAlias",
    "CreateGrant",
    "CreateKey",
    "Decrypt",
    "DeleteAlias",
    "DescribeKey",
    "DisableKey",
    "DisableKeyRotation",
    "EnableKey",
    "EnableKeyRotation",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateRandom",
    "GetKeyPolicy",
    "GetKeyRotationStatus",
    "ListAliases",
    "ListGrants",
    "ListKeyPolicies",
    "ListKeyRotations",
    "ListKeys",
    "ListResourceTags",
    "ListRetirableGrants",
    "PutKeyPolicy",
    "ReEncrypt",
    "RetireGrant",
    "RevokeGrant",
    "RotateKeyOnDemand",
    "ScheduleKeyDeletion",
    "TagResource",
    "UntagResource",
    "UpdateAlias",
    "UpdateKeyDescription",
];

/// Runs `operation` with its JSON request as `caller`, and returns the JSON
/// response. An operation keyward does not serve is an
/// `UnsupportedOperationException` naming it. A response may hold a
/// plaintext or data key: [`wipe`] it once written out.
pub fn dispatch<C: Clock>(
    rt: &mut Runtime<C>,
    caller: &Caller,
    operation: &str,
    request: &Value,
) -> Result<Value, KmsError> {
    let before = rt.audit.next_event_id();
    let result = call(rt, caller, operation, request);
    // A known operation refused here, before the runtime saw it, is still a
    // call: it is audited like any other.
    if let Err(error) = &result {
        if OPERATIONS.contains(&operation) && rt.audit.next_event_id() == before {
            rt.audit_refused(operation, caller, error);
        }
    }
    result
}

fn call<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, operation: &str, request: &Value) -> Result<Value, KmsError> {
    let m = &Members::new(request)?;
    match operation {
        "CreateKey" => keys::create_key(rt, caller, m),
        "DescribeKey" => keys::describe_key(rt, caller, m),
        "ListKeys" => keys::list_keys(rt, caller, m),
        "EnableKey" => keys::enable_key(rt, caller, m),
        "DisableKey" => keys::disable_key(rt, caller, m),
        "ScheduleKeyDeletion" => keys::schedule_key_deletion(rt, caller, m),
        "CancelKeyDeletion" => keys::cancel_key_deletion(rt, caller, m),
        "UpdateKeyDescription" => keys::update_key_description(rt, caller, m),
        "TagResource" => keys::tag_resource(rt, caller, m),
        "UntagResource" => keys::untag_resource(rt, caller, m),
        "ListResourceTags" => keys::list_resource_tags(rt, caller, m),
        "GetKeyPolicy" => keys::get_key_policy(rt, caller, m),
        "ListKeyPolicies" => keys::list_key_policies(rt, caller, m),
        "PutKeyPolicy" => keys::put_key_policy(rt, caller, m),
        "EnableKeyRotation" => keys::enable_key_rotation(rt, caller, m),
        "DisableKeyRotation" => keys::disable_key_rotation(rt, caller, m),
        "GetKeyRotationStatus" => keys::get_key_rotation_status(rt, caller, m),
        "RotateKeyOnDemand" => keys::rotate_key_on_demand(rt, caller, m),
        "ListKeyRotations" => keys::list_key_rotations(rt, caller, m),
        "CreateAlias" => aliases::create_alias(rt, caller, m),
        "UpdateAlias" => aliases::update_alias(rt, caller, m),
        "DeleteAlias" => aliases::delete_alias(rt, caller, m),
        "ListAliases" => aliases::list_aliases(rt, caller, m),
        "Encrypt" => crypto::encrypt(rt, caller, m),
        "Decrypt" => crypto::decrypt(rt, caller, m),
        "ReEncrypt" => crypto::re_encrypt(rt, caller, m),
        "GenerateDataKey" => crypto::generate_data_key(rt, caller, m, true),
        "GenerateDataKeyWithoutPlaintext" => crypto::generate_data_key(rt, caller, m, false),
        "GenerateRandom" => crypto::generate_random(rt, caller, m),
        "CreateGrant" => grants::create_grant(rt, caller, m, request),
        "ListGrants" => grants::list_grants(rt, caller, m),
        "ListRetirableGrants" => grants::list_retirable_grants(rt, caller, m),
        "RetireGrant" => grants::retire_grant(rt, caller, m),
        "RevokeGrant" => grants::revoke_grant(rt, caller, m),
        other => Err(KmsError::new(
            ErrorName::UnsupportedOperationException,
            format!("keyward does not implement the operation `{other}`"),
        )),
    }
}

#[cfg(test)]
mod tests;
