//! The STS calls a local stand-in needs, in STS's Query protocol (a
//! form-encoded body, an XML answer): `GetCallerIdentity`, so a client can
//! ask who its access key makes it, and `AssumeRole` (`assume_role`), so it
//! can act as a role's session.

use super::assume_role;
use super::error::WireError;
use super::form::Form;
use super::identity::Identity;

/// Answers the form-encoded request `body` for `identity`.
pub fn respond(
    context: &assume_role::Context<'_>,
    identity: &Identity,
    body: &[u8],
    request_id: &str,
) -> Result<String, WireError> {
    let form = Form::parse(body)?;
    match form.get("Action") {
        Some("GetCallerIdentity") => {}
        Some("AssumeRole") => return assume_role::respond(context, identity, &form, request_id),
        Some(other) => {
            return Err(WireError::client(
                "InvalidAction",
                format!(
                    "keyward answers the STS actions GetCallerIdentity and AssumeRole, not `{}`",
                    other.chars().take(64).collect::<String>()
                ),
            ))
        }
        None => return Err(WireError::client("MissingAction", "the request names no Action")),
    }
    let caller = &identity.caller;
    let account = caller.account.as_deref().unwrap_or_default();
    // A role session's user id is `<role id>:<session>`; keyward has no ids,
    // so the access key stands in for them.
    let user_id = match caller.arn.rsplit_once('/') {
        _ if caller.arn.ends_with(":root") => account.to_owned(),
        Some((_, session)) if caller.arn.contains(":assumed-role/") => format!("{}:{session}", identity.access_key),
        _ => identity.access_key.clone(),
    };
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
            access_key: "AKIAAPP0000000000001".into(),
        }
    }

    fn respond(who: &Identity, body: &[u8], request_id: &str) -> Result<String, WireError> {
        let (roles, identities, sessions) = Default::default();
        let context = assume_role::Context {
            roles: &roles,
            identities: &identities,
            sessions: &sessions,
            now: 0,
        };
        super::respond(&context, who, body, request_id)
    }

    #[test]
    fn get_caller_identity_names_the_session_and_its_account() {
        let who = identity("arn:aws:sts::111122223333:assumed-role/app/worker");
        let xml = respond(&who, b"Action=GetCallerIdentity&Version=2011-06-15", "r-1").unwrap();
        assert!(xml.contains("<Arn>arn:aws:sts::111122223333:assumed-role/app/worker</Arn>"));
        assert!(xml.contains("<Account>111122223333</Account>"));
        assert!(xml.contains("<UserId>AKIAAPP0000000000001:worker</UserId>"));
    }

    #[test]
    fn other_actions_and_signature_errors_use_sts_names() {
        let who = identity("arn:aws:iam::111122223333:root");
        assert_eq!(
            respond(&who, b"Action=GetSessionToken", "r").unwrap_err().name,
            "InvalidAction"
        );
        let unknown = WireError::client("UnrecognizedClientException", "no <such> key");
        assert_eq!(status(&unknown), 403);
        assert!(
            error(&unknown, "r").contains("<Code>InvalidClientTokenId</Code><Message>no &lt;such&gt; key</Message>")
        );
    }
}
