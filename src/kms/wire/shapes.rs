//! Runtime values in the API's response shapes (`KeyMetadata`, alias list
//! entries, list responses with `Truncated` and `NextMarker`), written by
//! the typed shapes of `kms::op`.

use base64::Engine;
use serde_json::{Map, Value};

use crate::kms::op::AliasListEntry;
use crate::kms::runtime::{Alias, KeyMetadata, Page};

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `KeyMetadata`, as CreateKey and DescribeKey return it.
pub fn key_metadata(m: &KeyMetadata) -> Value {
    serde_json::to_value(m).unwrap_or(Value::Null)
}

/// `AliasListEntry`.
pub fn alias_entry(alias: &Alias) -> Value {
    serde_json::to_value(AliasListEntry::from(alias)).unwrap_or(Value::Null)
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
