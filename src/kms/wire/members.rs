//! Reading a request's members: the JSON types the API model gives them,
//! blobs in base64, and AWS's errors for what is missing or mistyped. A
//! member set to `null` counts as absent; members an operation does not
//! take are ignored, as AWS ignores them.

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::kms::error::{ErrorName, KmsError};

/// The members of one request object.
pub(super) struct Members<'a> {
    object: &'a Map<String, Value>,
}

/// `KeyId` is `keyId` in validation messages.
fn camel(member: &str) -> String {
    let mut chars = member.chars();
    chars
        .next()
        .map(|first| first.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn wrong_type(member: &str, expected: &str) -> KmsError {
    KmsError::new(
        ErrorName::SerializationException,
        format!("`{member}` must be {expected}"),
    )
}

impl<'a> Members<'a> {
    pub fn new(request: &'a Value) -> Result<Members<'a>, KmsError> {
        match request {
            Value::Object(object) => Ok(Members { object }),
            _ => Err(KmsError::new(
                ErrorName::SerializationException,
                "the request body must be a JSON object of the operation's members",
            )),
        }
    }

    fn get(&self, member: &str) -> Option<&'a Value> {
        self.object.get(member).filter(|v| !v.is_null())
    }

    /// A required member: AWS's "Member must not be null" when missing.
    fn required<T>(&self, member: &str, value: Option<T>) -> Result<T, KmsError> {
        value.ok_or_else(|| {
            KmsError::new(
                ErrorName::ValidationException,
                format!(
                    "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                    camel(member)
                ),
            )
        })
    }

    /// Refuses a request without `member`, whatever its type.
    pub fn present(&self, member: &str) -> Result<(), KmsError> {
        self.required(member, self.get(member)).map(drop)
    }

    pub fn opt_str(&self, member: &str) -> Result<Option<&'a str>, KmsError> {
        match self.get(member) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(wrong_type(member, "a string")),
        }
    }

    pub fn str(&self, member: &str) -> Result<&'a str, KmsError> {
        let value = self.opt_str(member)?;
        self.required(member, value)
    }

    pub fn opt_int(&self, member: &str) -> Result<Option<i64>, KmsError> {
        match self.get(member) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| wrong_type(member, "a whole number")),
            Some(_) => Err(wrong_type(member, "a number")),
        }
    }

    pub fn bool(&self, member: &str) -> Result<bool, KmsError> {
        match self.get(member) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(wrong_type(member, "true or false")),
        }
    }

    /// A blob member: base64 in the request, bytes here.
    pub fn opt_blob(&self, member: &str) -> Result<Option<Zeroizing<Vec<u8>>>, KmsError> {
        let Some(text) = self.opt_str(member)? else {
            return Ok(None);
        };
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map(|bytes| Some(Zeroizing::new(bytes)))
            .map_err(|_| wrong_type(member, "base64"))
    }

    pub fn blob(&self, member: &str) -> Result<Zeroizing<Vec<u8>>, KmsError> {
        let value = self.opt_blob(member)?;
        self.required(member, value)
    }

    /// An encryption context: an object of strings; absent is empty.
    pub fn context(&self, member: &str) -> Result<BTreeMap<String, String>, KmsError> {
        match self.get(member) {
            None => Ok(BTreeMap::new()),
            Some(Value::Object(pairs)) => pairs
                .iter()
                .map(|(k, v)| match v {
                    Value::String(v) => Ok((k.clone(), v.clone())),
                    _ => Err(wrong_type(&format!("{member}.{k}"), "a string")),
                })
                .collect(),
            Some(_) => Err(wrong_type(member, "an object of strings")),
        }
    }

    /// A list of strings; absent is empty.
    pub fn strings(&self, member: &str) -> Result<Vec<String>, KmsError> {
        match self.get(member) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s.clone()),
                    _ => Err(wrong_type(member, "a list of strings")),
                })
                .collect(),
            Some(_) => Err(wrong_type(member, "a list of strings")),
        }
    }

    /// `Tags`: `[{"TagKey": k, "TagValue": v}, …]`.
    pub fn tags(&self, member: &str) -> Result<Vec<(String, String)>, KmsError> {
        let Some(value) = self.get(member) else {
            return Ok(Vec::new());
        };
        let expected = "a list of {\"TagKey\": …, \"TagValue\": …}";
        let Value::Array(items) = value else {
            return Err(wrong_type(member, expected));
        };
        items
            .iter()
            .map(|item| {
                let tag = Members::new(item).map_err(|_| wrong_type(member, expected))?;
                Ok((tag.str("TagKey")?.to_owned(), tag.str("TagValue")?.to_owned()))
            })
            .collect()
    }

    /// The raw value of a member, for shapes read elsewhere (`Constraints`).
    pub fn raw(&self, member: &str) -> Option<&'a Value> {
        self.get(member)
    }
}
