//! The STS calls a local stand-in needs, in STS's Query protocol (a
//! form-encoded body, an XML answer): `GetCallerIdentity`, so a client can
//! ask who its access key makes it, `AssumeRole` (`assume_role`), so it
//! can act as a role's session, and `GetSessionToken` (`session_token`).

use std::collections::BTreeMap;

use super::assume_role;
use super::error::WireError;
use super::form::Form;
use super::identity::Identity;
use super::sessions::Sessions;
use crate::kms::Authorizer;
use crate::suite::Role;

/// `DurationSeconds`, when given: a number from 900 (STS's shortest
/// session) to `max`, else a `ValidationError` naming the bounds.
pub(super) fn duration_seconds(form: &Form, max: i64) -> Result<Option<i64>, WireError> {
    let Some(text) = form.get("DurationSeconds") else {
        return Ok(None);
    };
    match text.parse::<i64>() {
        Ok(seconds) if (900..=max).contains(&seconds) => Ok(Some(seconds)),
        _ => Err(WireError::client(
            "ValidationError",
            format!(
                "1 validation error detected: Value '{}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and {max}",
                text.chars().take(32).collect::<String>()
            ),
        )),
    }
}

/// What the STS actions read besides the request.
pub struct Context<'a> {
    /// The accounts file's roles, for `AssumeRole`.
    pub roles: &'a BTreeMap<String, Role>,
    /// The identity policies, tags and unique ids callers have.
    pub identities: &'a Authorizer,
    /// The temporary credentials handed out.
    pub sessions: &'a Sessions,
    pub now: i64,
}

/// Answers the form-encoded request `body` for `identity`.
pub fn respond(context: &Context<'_>, identity: &Identity, body: &[u8], request_id: &str) -> Result<String, WireError> {
    let form = Form::parse(body)?;
    match form.get("Action") {
        Some("GetCallerIdentity") => {}
        Some("AssumeRole") => return assume_role::respond(context, identity, &form, request_id),
        Some("GetSessionToken") => {
            return super::session_token::respond(context.sessions, context.now, identity, &form, request_id)
        }
        Some(other) => {
            return Err(WireError::client(
                "InvalidAction",
                format!(
                    "keyward answers the STS actions GetCallerIdentity, AssumeRole and GetSessionToken, not `{}`",
                    other.chars().take(64).collect::<String>()
                ),
            ))
        }
        None => return Err(WireError::client("MissingAction", "the request names no Action")),
    }
    let caller = &identity.caller;
    let account = caller.account.as_deref().unwrap_or_default();
    // `aws:userid`'s value: the account for the root user, the user's unique
    // id, `<role id>:<session>` for a role session (the accounts file's
    // `UserId`/`RoleId`, or derived from the ARN).
    let user_id = caller.user_id().unwrap_or_default();
    Ok(format!(
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
<GetCallerIdentityResult><Arn>{}</Arn><UserId>{}</UserId><Account>{}</Account></GetCallerIdentityResult>\
<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
        escape(&caller.arn),
        escape(&user_id),
        escape(account)
    ))
}

/// An STS error: `<ErrorResponse>` with `Sender` or `Receiver`.
pub fn error(e: &WireError, request_id: &str) -> String {
    let kind = if e.status >= 500 { "Receiver" } else { "Sender" };
    format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>{kind}</Type>\
<Code>{}</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
        escape(sts_name(e.name)),
        escape(&e.message)
    )
}

/// STS's names for the signature errors the KMS protocol names otherwise.
pub fn sts_name(name: &'static str) -> &'static str {
    match name {
        "UnrecognizedClientException" => "InvalidClientTokenId",
        "InvalidSignatureException" => "SignatureDoesNotMatch",
        "IncompleteSignatureException" => "IncompleteSignature",
        "MissingAuthenticationTokenException" => "MissingAuthenticationToken",
        other => other,
    }
}

/// STS answers its authentication errors with HTTP 403.
pub fn status(e: &WireError) -> u16 {
    match sts_name(e.name) {
        "InvalidClientTokenId" | "SignatureDoesNotMatch" | "MissingAuthenticationToken" => 403,
        _ => e.status,
    }
}

pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Caller;

    fn identity(arn: &str) -> Identity {
        Identity {
            caller: Caller::parse(arn).unwrap(),
            region: "us-east-1".into(),
        }
    }

    fn respond(who: &Identity, body: &[u8], request_id: &str) -> Result<String, WireError> {
        let (roles, identities, sessions) = Default::default();
        let context = Context {
            roles: &roles,
            identities: &identities,
            sessions: &sessions,
            now: 0,
        };
        super::respond(&context, who, body, request_id)
    }

    fn user_id(who: &Identity) -> String {
        let xml = respond(who, b"Action=GetCallerIdentity&Version=2011-06-15", "r-1").unwrap();
        let start = xml.find("<UserId>").unwrap() + "<UserId>".len();
        let end = xml.find("</UserId>").unwrap();
        xml[start..end].to_owned()
    }

    #[test]
    fn get_caller_identity_names_the_session_and_its_account() {
        let who = identity("arn:aws:sts::111122223333:assumed-role/app/worker");
        let xml = respond(&who, b"Action=GetCallerIdentity&Version=2011-06-15", "r-1").unwrap();
        assert!(xml.contains("<Arn>arn:aws:sts::111122223333:assumed-role/app/worker</Arn>"));
        assert!(xml.contains("<Account>111122223333</Account>"));
    }

    /// `UserId` is `aws:userid`'s value (STS API Reference,
    /// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html;
    /// IAM User Guide, reference_policies_variables.html#principaltable):
    /// never the access key.
    #[test]
    fn get_caller_identity_gives_aws_userid_forms() {
        assert_eq!(user_id(&identity("arn:aws:iam::111122223333:root")), "111122223333");
        let user = user_id(&identity("arn:aws:iam::111122223333:user/alice"));
        assert!(user.starts_with("AIDA") && user.len() == 21, "{user}");
        let mut session = identity("arn:aws:sts::111122223333:assumed-role/app/worker");
        let derived = user_id(&session);
        assert!(derived.starts_with("AROA") && derived.ends_with(":worker"), "{derived}");
        assert_eq!(derived.len(), 21 + ":worker".len());
        session.caller.unique_id = Some("AROADBQP57FF2AEXAMPLE".into());
        assert_eq!(user_id(&session), "AROADBQP57FF2AEXAMPLE:worker");
    }

    #[test]
    fn other_actions_and_signature_errors_use_sts_names() {
        let who = identity("arn:aws:iam::111122223333:root");
        assert_eq!(
            respond(&who, b"Action=GetFederationToken", "r").unwrap_err().name,
            "InvalidAction"
        );
        let unknown = WireError::client("UnrecognizedClientException", "no <such> key");
        assert_eq!(status(&unknown), 403);
        assert!(
            error(&unknown, "r").contains("<Code>InvalidClientTokenId</Code><Message>no &lt;such&gt; key</Message>")
        );
    }
}
