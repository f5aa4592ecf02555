//! The API model's constraints on members, with AWS's wording
//! ("1 validation error detected: Value '' at 'keyId' failed to satisfy
//! constraint: Member must have length greater than or equal to 1"). A
//! value too long is not repeated in the message.

use super::decode::camel;
use crate::kms::error::KmsError;

/// A string member of `min..=max` characters.
pub fn length(member: &str, value: &str, min: usize, max: usize) -> Result<(), KmsError> {
    let count = value.chars().count();
    if count < min {
        return Err(KmsError::constraint(
            Some(value),
            &camel(member),
            &format!("have length greater than or equal to {min}"),
        ));
    }
    if count > max {
        return Err(KmsError::constraint(
            None,
            &camel(member),
            &format!("have length less than or equal to {max}"),
        ));
    }
    Ok(())
}

/// An optional string member of `min..=max` characters.
pub fn opt_length(member: &str, value: Option<&str>, min: usize, max: usize) -> Result<(), KmsError> {
    value.map_or(Ok(()), |v| length(member, v, min, max))
}

/// `KeyIdType`: 1 to 2048 characters.
pub fn key_id(member: &str, value: &str) -> Result<(), KmsError> {
    length(member, value, 1, 2048)
}

pub fn opt_key_id(member: &str, value: Option<&str>) -> Result<(), KmsError> {
    opt_length(member, value, 1, 2048)
}

/// `GrantIdType`: 1 to 128 characters.
pub fn grant_id(member: &str, value: Option<&str>) -> Result<(), KmsError> {
    opt_length(member, value, 1, 128)
}

/// A whole-number member within `min..=max`.
pub fn range(member: &str, value: Option<i64>, min: i64, max: i64) -> Result<(), KmsError> {
    let Some(n) = value else { return Ok(()) };
    let text = n.to_string();
    if n < min {
        return Err(KmsError::constraint(
            Some(&text),
            &camel(member),
            &format!("have value greater than or equal to {min}"),
        ));
    }
    if n > max {
        return Err(KmsError::constraint(
            Some(&text),
            &camel(member),
            &format!("have value less than or equal to {max}"),
        ));
    }
    Ok(())
}
