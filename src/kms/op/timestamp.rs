//! Timestamps of the typed requests and responses: `SystemTime` in Rust,
//! epoch seconds on the wire, as the AWS JSON 1.1 protocol writes a
//! `timestamp` member: a number, whole when the time is a whole second
//! (every time keyward keeps), fractional otherwise. Decoding accepts any
//! JSON number.
//!
//! Use with `#[serde(with = "timestamp::epoch")]` or, for an optional
//! member, `#[serde(with = "timestamp::opt_epoch", default)]`.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use crate::kms::runtime::{epoch_seconds, from_epoch};

use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

/// `seconds` (a JSON number, perhaps fractional) as a time; `None` when it
/// is not finite or out of the clock's range.
pub fn from_epoch_f64(seconds: f64) -> Option<SystemTime> {
    let magnitude = Duration::try_from_secs_f64(seconds.abs()).ok()?;
    if seconds >= 0.0 {
        UNIX_EPOCH.checked_add(magnitude)
    } else {
        UNIX_EPOCH.checked_sub(magnitude)
    }
}

fn write<S: Serializer>(time: &SystemTime, serializer: S) -> Result<S::Ok, S::Error> {
    let (after, whole, nanos) = match time.duration_since(UNIX_EPOCH) {
        Ok(d) => (true, d.as_secs(), d.subsec_nanos()),
        Err(e) => (false, e.duration().as_secs(), e.duration().subsec_nanos()),
    };
    if nanos == 0 {
        let whole = i64::try_from(whole).map_err(serde::ser::Error::custom)?;
        return serializer.serialize_i64(if after { whole } else { -whole });
    }
    let seconds = whole as f64 + f64::from(nanos) / 1e9;
    serializer.serialize_f64(if after { seconds } else { -seconds })
}

/// Reads a JSON number of epoch seconds.
struct Epoch;

impl Visitor<'_> for Epoch {
    type Value = SystemTime;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a timestamp (a number of seconds since 1970-01-01T00:00:00Z)")
    }

    fn visit_i64<E: de::Error>(self, seconds: i64) -> Result<SystemTime, E> {
        Ok(from_epoch(seconds))
    }

    fn visit_u64<E: de::Error>(self, seconds: u64) -> Result<SystemTime, E> {
        let seconds = i64::try_from(seconds).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(seconds), &self))?;
        Ok(from_epoch(seconds))
    }

    fn visit_f64<E: de::Error>(self, seconds: f64) -> Result<SystemTime, E> {
        from_epoch_f64(seconds).ok_or_else(|| E::invalid_value(de::Unexpected::Float(seconds), &self))
    }
}

/// A required timestamp member.
pub mod epoch {
    use super::*;

    pub fn serialize<S: Serializer>(time: &SystemTime, serializer: S) -> Result<S::Ok, S::Error> {
        write(time, serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SystemTime, D::Error> {
        deserializer.deserialize_any(Epoch)
    }
}

/// An optional timestamp member (`null` or absent is `None`).
pub mod opt_epoch {
    use super::*;

    pub fn serialize<S: Serializer>(time: &Option<SystemTime>, serializer: S) -> Result<S::Ok, S::Error> {
        match time {
            Some(time) => write(time, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<SystemTime>, D::Error> {
        struct Optional;
        impl<'de> Visitor<'de> for Optional {
            type Value = Option<SystemTime>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                Epoch.expecting(f)
            }
            fn visit_none<E: de::Error>(self) -> Result<Option<SystemTime>, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Option<SystemTime>, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<SystemTime>, D::Error> {
                deserializer.deserialize_any(Epoch).map(Some)
            }
        }
        deserializer.deserialize_option(Optional)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Member {
        #[serde(with = "epoch")]
        at: SystemTime,
        #[serde(with = "opt_epoch", default, skip_serializing_if = "Option::is_none")]
        until: Option<SystemTime>,
    }

    #[test]
    fn a_whole_second_is_written_as_an_integer_as_before() {
        let member = Member {
            at: from_epoch(1_795_867_200),
            until: Some(from_epoch(-5)),
        };
        let text = serde_json::to_string(&member).unwrap();
        assert_eq!(text, r#"{"at":1795867200,"until":-5}"#);
        assert_eq!(serde_json::from_str::<Member>(&text).unwrap(), member);
    }

    #[test]
    fn a_fraction_of_a_second_is_written_and_read_as_a_fractional_number() {
        let at = from_epoch(1_700_000_000) + Duration::from_millis(250);
        let text = serde_json::to_string(&Member { at, until: None }).unwrap();
        assert_eq!(text, r#"{"at":1700000000.25}"#);
        let read: Member = serde_json::from_str(r#"{"at": 1700000000.25, "until": null}"#).unwrap();
        assert_eq!((read.at, read.until), (at, None));
    }

    #[test]
    fn epoch_seconds_round_down_on_both_sides_of_1970() {
        assert_eq!(epoch_seconds(from_epoch(42)), 42);
        assert_eq!(epoch_seconds(from_epoch(42) + Duration::from_millis(900)), 42);
        assert_eq!(epoch_seconds(from_epoch_f64(-1.5).unwrap()), -2);
        assert_eq!(epoch_seconds(from_epoch(-3)), -3);
    }

    #[test]
    fn a_string_or_an_unrepresentable_number_is_not_a_timestamp() {
        assert!(serde_json::from_str::<Member>(r#"{"at": "2026-01-01"}"#).is_err());
        assert!(serde_json::from_str::<Member>(r#"{"at": 1e300}"#).is_err());
    }
}
