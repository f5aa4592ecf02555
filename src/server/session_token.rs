//! STS `GetSessionToken`
//! (<https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html>):
//! temporary credentials for an IAM user or the account's root, signing as
//! the same principal. A role's session cannot ask for one, and MFA
//! (`SerialNumber`, `TokenCode`) is refused by name.

use super::error::WireError;
use super::form::Form;
use super::identity::Identity;
use super::sessions::Sessions;
use super::sts::duration_seconds;
use crate::eval::CallerKind;

/// `DurationSeconds`: 900 up to 36 hours for a user, 1 hour for the root
/// user; 12 hours by default (the root user's default is its maximum).
const USER_MAX: i64 = 129_600;
const ROOT_MAX: i64 = 3600;
const DEFAULT_DURATION: i64 = 43_200;

/// Answers `GetSessionToken` for `identity`.
pub fn respond(
    sessions: &Sessions,
    now: i64,
    identity: &Identity,
    form: &Form,
    request_id: &str,
) -> Result<String, WireError> {
    for unsupported in ["SerialNumber", "TokenCode"] {
        if form.get(unsupported).is_some() {
            return Err(WireError::client(
                "ValidationError",
                format!("keyward's STS does not take `{unsupported}` (MFA); ask without it"),
            ));
        }
    }
    let max = match identity.caller.kind {
        CallerKind::User => USER_MAX,
        CallerKind::Root => ROOT_MAX,
        _ => {
            return Err(
                WireError::client("AccessDenied", "Cannot call GetSessionToken with session credentials")
                    .with_status(403),
            )
        }
    };
    let duration = duration_seconds(form, USER_MAX)?.unwrap_or(DEFAULT_DURATION).min(max);
    let issued = sessions.issue(&identity.caller.arn, Vec::new(), now + duration, now);
    Ok(format!(
        "<GetSessionTokenResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetSessionTokenResult>{}\
</GetSessionTokenResult><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></GetSessionTokenResponse>",
        issued.to_xml()
    ))
}
