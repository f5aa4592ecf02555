//! A JSON request into its typed request, with AWS's errors: a required
//! member that is missing is a `ValidationException` ("Value null at
//! 'keyId' … Member must not be null"), a member of the wrong JSON type a
//! `SerializationException` naming it. A member set to `null` counts as
//! absent; members a request does not take are ignored, as AWS ignores them.
//!
//! [`decode`] walks the `serde_json::Value` with a deserializer of its own,
//! so every error knows the member it is about.

use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::kms::error::{ErrorName, KmsError};

/// Reads `request` as a `T`.
pub fn decode<T: DeserializeOwned>(request: &Value) -> Result<T, KmsError> {
    if !request.is_object() {
        return Err(KmsError::new(
            ErrorName::SerializationException,
            "the request body must be a JSON object of the operation's members",
        ));
    }
    T::deserialize(Json(request)).map_err(DecodeError::into_kms)
}

/// What went wrong, and where.
#[derive(Debug)]
pub enum DecodeError {
    /// A required member is absent (or `null`).
    Missing(String),
    /// `member` (a dotted path inside maps) is not what the model says.
    WrongType {
        member: String,
        expected: String,
    },
    Other(String),
}

/// `KeyId` is `keyId` in validation messages.
pub(super) fn camel(member: &str) -> String {
    let mut chars = member.chars();
    chars
        .next()
        .map(|first| first.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

impl DecodeError {
    fn into_kms(self) -> KmsError {
        match self {
            DecodeError::Missing(member) => KmsError::new(
                ErrorName::ValidationException,
                format!(
                    "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                    camel(&member)
                ),
            ),
            DecodeError::WrongType { member, expected } => KmsError::new(
                ErrorName::SerializationException,
                format!("`{member}` must be {expected}"),
            ),
            DecodeError::Other(message) => KmsError::new(ErrorName::SerializationException, message),
        }
    }

    /// The error as seen from the member `key` that holds the failing value.
    fn within(self, key: &str) -> DecodeError {
        match self {
            DecodeError::WrongType { member, expected } if member.is_empty() => DecodeError::WrongType {
                member: key.to_owned(),
                expected,
            },
            DecodeError::WrongType { member, expected } => DecodeError::WrongType {
                member: format!("{key}.{member}"),
                expected,
            },
            other => other,
        }
    }

    /// The error as seen from the list that holds the failing item.
    fn in_list(self) -> DecodeError {
        match self {
            DecodeError::WrongType { member, expected } if member.is_empty() => DecodeError::WrongType {
                member,
                expected: match expected.as_str() {
                    "a string" => "a list of strings".to_owned(),
                    _ => format!("a list of {expected}"),
                },
            },
            other => other,
        }
    }
}

/// The model's words for what serde expected.
fn expected_phrase(unexpected: &de::Unexpected<'_>, expected: &dyn de::Expected) -> String {
    let serde_words = expected.to_string();
    match serde_words.as_str() {
        "i64" | "i32" | "u32" | "u64" | "usize" if matches!(unexpected, de::Unexpected::Float(_)) => {
            "a whole number".to_owned()
        }
        "i64" | "i32" | "u32" | "u64" | "usize" => "a number".to_owned(),
        "a boolean" => "true or false".to_owned(),
        "a map" => "an object of strings".to_owned(),
        "a sequence" => "a list".to_owned(),
        _ => serde_words,
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Missing(member) => write!(f, "`{member}` is missing"),
            DecodeError::WrongType { member, expected } => write!(f, "`{member}` must be {expected}"),
            DecodeError::Other(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        DecodeError::Other(message.to_string())
    }

    fn missing_field(field: &'static str) -> Self {
        DecodeError::Missing(field.to_owned())
    }

    fn invalid_type(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        DecodeError::WrongType {
            member: String::new(),
            expected: expected_phrase(&unexpected, expected),
        }
    }

    fn invalid_value(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        let expected = match expected_phrase(&unexpected, expected).as_str() {
            // A number out of the 64-bit range.
            "a number" => "a whole number".to_owned(),
            other => other.to_owned(),
        };
        DecodeError::WrongType {
            member: String::new(),
            expected,
        }
    }
}

/// One JSON value being read.
struct Json<'a>(&'a Value);

impl<'de> de::Deserializer<'de> for Json<'de> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => visitor.visit_i64(i),
                (None, Some(u), _) => visitor.visit_u64(u),
                (None, None, Some(f)) => visitor.visit_f64(f),
                (None, None, None) => Err(de::Error::custom("a number out of range")),
            },
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(Items(items.iter())),
            Value::Object(members) => visitor.visit_map(Members::new(members)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct enum identifier
    }
}

/// The members of an object, `null` ones left out; each value error is
/// given the member's name.
struct Members<'a> {
    entries: serde_json::map::Iter<'a>,
    value: Option<(&'a str, &'a Value)>,
}

impl<'a> Members<'a> {
    fn new(members: &'a Map<String, Value>) -> Members<'a> {
        Members {
            entries: members.iter(),
            value: None,
        }
    }
}

impl<'de> MapAccess<'de> for Members<'de> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DecodeError> {
        let Some((key, value)) = self.entries.by_ref().find(|(_, value)| !value.is_null()) else {
            return Ok(None);
        };
        self.value = Some((key, value));
        let key: de::value::StrDeserializer<'_, DecodeError> = key.as_str().into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DecodeError> {
        let (key, value) = self
            .value
            .take()
            .ok_or_else(|| <DecodeError as de::Error>::custom("a value without its member"))?;
        seed.deserialize(Json(value)).map_err(|e| e.within(key))
    }
}

/// The items of a list.
struct Items<'a>(std::slice::Iter<'a, Value>);

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DecodeError> {
        match self.0.next() {
            None => Ok(None),
            Some(item) => seed.deserialize(Json(item)).map(Some).map_err(DecodeError::in_list),
        }
    }
}
