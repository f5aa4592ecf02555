//! Tags as `CreateKey` and `TagResource` take them: AWS's rules on keys and
//! values (checked before authorization), and the tag condition keys a
//! request carries (`aws:RequestTag/<key>`, `aws:TagKeys`), so a policy can
//! allow or deny a call by the tags it sets
//! (<https://docs.aws.amazon.com/kms/latest/developerguide/tag-authorization.html>).

use super::manage::MAX_TAGS;
use crate::eval::ContextValue;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::request::KmsRequest;

pub(super) fn tag_error(message: &str) -> KmsError {
    KmsError::new(ErrorName::TagException, message)
}

/// Each tag's key and value length, no `aws:` prefix, no key twice, at most
/// [`MAX_TAGS`] (`TagException`, as AWS answers).
pub(super) fn check_tags(tags: &[(String, String)]) -> Result<(), KmsError> {
    for (i, (tag_key, value)) in tags.iter().enumerate() {
        if tag_key.is_empty() || tag_key.chars().count() > 128 {
            return Err(KmsError::constraint(
                Some(tag_key),
                &format!("tags.{}.member.tagKey", i + 1),
                "have length less than or equal to 128",
            ));
        }
        if value.chars().count() > 256 {
            return Err(KmsError::constraint(
                Some(value),
                &format!("tags.{}.member.tagValue", i + 1),
                "have length less than or equal to 256",
            ));
        }
        if tag_key.to_ascii_lowercase().starts_with("aws:") {
            return Err(tag_error("Tags beginning with aws: are reserved"));
        }
        if tags[..i].iter().any(|(k, _)| k == tag_key) {
            return Err(tag_error("Duplicate tag keys"));
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(tag_error("Too many tags"));
    }
    Ok(())
}

/// Sets `aws:RequestTag/<key>` for each tag and `aws:TagKeys` to their keys.
pub(super) fn add_request_tags(request: &mut KmsRequest, tags: &[(String, String)]) {
    if tags.is_empty() {
        return;
    }
    for (key, value) in tags {
        request
            .context
            .insert_one(&format!("aws:RequestTag/{key}"), value.clone());
    }
    add_tag_keys(request, tags.iter().map(|(k, _)| k.clone()).collect());
}

/// Sets `aws:TagKeys` (`UntagResource` names keys only).
pub(super) fn add_tag_keys(request: &mut KmsRequest, keys: Vec<String>) {
    request.context.insert("aws:TagKeys", ContextValue::Many(keys));
}
