//! Response shapes of the API model: `KeyMetadata`, alias and grant list
//! entries, and list responses with `Truncated` and `NextMarker`. Dates are
//! epoch seconds, as the AWS JSON protocol sends timestamps; members with no
//! value are left out.

use base64::Engine;
use serde_json::{json, Map, Value};
use zeroize::Zeroize;

use crate::kms::runtime::{Alias, KeyMetadata, Page};
use crate::policy::{fmt, Grant, Grants, GrantsShape};
use crate::{Span, Spanned};

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Zeroizes every string in a response: one holding a plaintext or a data
/// key must be wiped once it has been written out.
pub fn wipe(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(fields) => fields.values_mut().for_each(wipe),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// An object without its `null` members.
fn object(pairs: Value) -> Value {
    match pairs {
        Value::Object(fields) => Value::Object(fields.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        other => other,
    }
}

/// `KeyMetadata`, as CreateKey and DescribeKey return it.
pub fn key_metadata(m: &KeyMetadata) -> Value {
    object(json!({
        "AWSAccountId": m.account,
        "KeyId": m.key_id,
        "Arn": m.arn,
        "CreationDate": m.creation_date,
        "Enabled": m.enabled,
        "Description": m.description,
        "KeyUsage": m.key_usage,
        "KeyState": m.state.as_str(),
        "DeletionDate": m.deletion_date,
        "Origin": "AWS_KMS",
        "KeyManager": m.key_manager,
        "CustomerMasterKeySpec": m.key_spec,
        "KeySpec": m.key_spec,
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
        "MultiRegion": false,
        "CurrentKeyMaterialId": m.current_key_material_id,
    }))
}

/// `AliasListEntry`.
pub fn alias_entry(alias: &Alias) -> Value {
    json!({
        "AliasName": alias.name,
        "AliasArn": alias.arn,
        "TargetKeyId": alias.target_key_id,
        "CreationDate": alias.created,
        "LastUpdatedDate": alias.created,
    })
}

/// `GrantListEntry`, printed by the canonical grant printer.
pub fn grant_entry(grant: &Grant) -> Value {
    let text = fmt::grants_json(&Grants {
        shape: GrantsShape::One,
        grants: vec![Spanned::new(grant.clone(), Span::default())],
    });
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A list response: the entries under `member`, with `Truncated` and, when
/// more follow, `NextMarker`.
pub fn list<T>(member: &str, entries: Vec<Value>, page: &Page<T>) -> Value {
    let mut fields = Map::new();
    fields.insert(member.to_owned(), Value::Array(entries));
    if let Some(marker) = &page.next_marker {
        fields.insert("NextMarker".to_owned(), Value::String(marker.clone()));
    }
    fields.insert("Truncated".to_owned(), Value::Bool(page.truncated()));
    Value::Object(fields)
}

/// A list response that is never paged here: everything, not truncated.
pub fn whole_list(member: &str, entries: Vec<Value>) -> Value {
    json!({member: entries, "Truncated": false})
}
