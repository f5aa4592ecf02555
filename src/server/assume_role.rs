//! STS `AssumeRole`
//! (<https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html>):
//! a caller the role's trust policy (and, as AWS requires, its own identity
//! policies) lets perform `sts:AssumeRole` gets temporary credentials that
//! sign as `arn:aws:sts::<account>:assumed-role/<role>/<session>`, with the
//! role's identity policies, boundary and tags. The trust policy is decided
//! by the general evaluator as a resource policy on the role, with
//! `sts:ExternalId`, `sts:RoleSessionName` and `sts:SourceIdentity` in the
//! context. Session tags (`Tags`) need `sts:TagSession` too, decided with
//! `aws:RequestTag/<key>` and `aws:TagKeys`, and become the session's
//! `aws:PrincipalTag/<key>` (IAM User Guide, id_session-tags.html). Session
//! policies and transitive tags are refused by name.

use super::error::WireError;
use super::form::Form;
use super::identity::Identity;
use super::sts::{duration_seconds, escape, Context};
use crate::eval::{Caller, CallerKind, ContextValue, Decision, Request};
use crate::suite::{authorize_general as authorize, Around, General};

/// The longest session a role assumed by another role's session may have.
const CHAINED_MAX: i64 = 3600;
/// The default `DurationSeconds`.
const DEFAULT_DURATION: i64 = 3600;

fn invalid(message: String) -> WireError {
    WireError::client("ValidationError", message)
}

/// `[\w+=,.@-]` (and `:/` where `extra` allows), `min..=max` characters long.
fn check_text(member: &str, value: &str, min: usize, max: usize, extra: &str) -> Result<(), WireError> {
    let length = value.chars().count();
    if length < min || length > max {
        return Err(invalid(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length between {min} and {max}"
        )));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) || extra.contains(c);
    if !value.chars().all(allowed) {
        return Err(invalid(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@{extra}-]*"
        )));
    }
    Ok(())
}

/// The most session tags one `AssumeRole` passes.
const MAX_SESSION_TAGS: usize = 50;

/// `Tags.member.N.Key` and `.Value`, N from 1: at most 50, keys of 1 to 128
/// and values of up to 256 letters, digits, spaces and `_.:/=+-@`, no key
/// twice (compared without case), as STS's `Tag` shape says.
fn session_tags(form: &Form) -> Result<Vec<(String, String)>, WireError> {
    let mut tags: Vec<(String, String)> = Vec::new();
    for n in 1.. {
        let key = form.get(&format!("Tags.member.{n}.Key"));
        let value = form.get(&format!("Tags.member.{n}.Value"));
        let (key, value) = match (key, value) {
            (None, None) => break,
            (Some(key), value) => (key, value.unwrap_or_default()),
            (None, Some(_)) => {
                return Err(invalid(format!("Tags.member.{n} has a Value but no Key")));
            }
        };
        if n > MAX_SESSION_TAGS {
            return Err(invalid(format!(
                "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to {MAX_SESSION_TAGS}"
            )));
        }
        let allowed = |c: char| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c);
        if !(1..=128).contains(&key.chars().count()) || !key.chars().all(allowed) {
            return Err(invalid(format!(
                "Tags.member.{n}.Key: a tag key is 1 to 128 letters, digits, spaces and `_.:/=+-@`"
            )));
        }
        if value.chars().count() > 256 || !value.chars().all(allowed) {
            return Err(invalid(format!(
                "Tags.member.{n}.Value: a tag value is up to 256 letters, digits, spaces and `_.:/=+-@`"
            )));
        }
        if tags.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
            return Err(invalid(format!(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive: `{key}`"
            )));
        }
        tags.push((key.to_owned(), value.to_owned()));
    }
    Ok(tags)
}

/// Answers `AssumeRole` for `identity`.
pub fn respond(context: &Context<'_>, identity: &Identity, form: &Form, request_id: &str) -> Result<String, WireError> {
    for unsupported in ["Policy", "SerialNumber", "TokenCode"] {
        if form.get(unsupported).is_some() {
            return Err(invalid(format!(
                "keyward's STS does not take `{unsupported}` (session policies and MFA); assume the role without it"
            )));
        }
    }
    for prefix in ["PolicyArns.", "TransitiveTagKeys.", "ProvidedContexts."] {
        if form.has_prefixed(prefix) {
            return Err(invalid(format!(
                "keyward's STS does not take `{}` (session policies, transitive tags, trusted contexts); give the role its policies in the accounts file",
                prefix.trim_end_matches('.')
            )));
        }
    }
    let tags = session_tags(form)?;
    let role_arn = form
        .get("RoleArn")
        .ok_or_else(|| invalid("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null".into()))?;
    if !(20..=2048).contains(&role_arn.len()) {
        return Err(invalid(
            "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048".into(),
        ));
    }
    let session_name = form.get("RoleSessionName").ok_or_else(|| {
        invalid("1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null".into())
    })?;
    check_text("roleSessionName", session_name, 2, 64, "")?;
    let external_id = form.get("ExternalId");
    if let Some(id) = external_id {
        check_text("externalId", id, 2, 1224, ":/")?;
    }
    let source_identity = form.get("SourceIdentity");
    if let Some(id) = source_identity {
        check_text("sourceIdentity", id, 2, 64, "")?;
    }
    let chained = matches!(identity.caller.kind, CallerKind::AssumedRole { .. });
    let duration = duration_seconds(form, 43_200)?.unwrap_or(DEFAULT_DURATION);

    let refused = |action: &str| {
        WireError::client(
            "AccessDenied",
            format!(
                "User: {} is not authorized to perform: {action} on resource: {role_arn}",
                identity.caller.arn
            ),
        )
        .with_status(403)
    };
    let denied = || refused("sts:AssumeRole");
    let role_caller = Caller::parse(role_arn).map_err(|_| denied())?;
    let (CallerKind::Role { name }, Some(account)) = (&role_caller.kind, role_caller.account.as_deref()) else {
        return Err(invalid(format!(
            "`{}` is not a role ARN such as `arn:aws:iam::111122223333:role/app`",
            role_arn.chars().take(256).collect::<String>()
        )));
    };
    // AWS answers a role it does not have as one the caller may not assume.
    let role = context.roles.get(role_arn).ok_or_else(denied)?;
    let trust_policy = role.trust_policy.as_ref().ok_or_else(denied)?;

    let time = crate::kms::runtime::rfc3339(context.now);
    let mut request_context =
        crate::eval::access::derive_context(&identity.caller, role_arn, Some(account), Some(&time));
    request_context.insert_one("sts:RoleSessionName", session_name);
    if let Some(id) = external_id {
        request_context.insert_one("sts:ExternalId", id);
    }
    if let Some(id) = source_identity {
        request_context.insert_one("sts:SourceIdentity", id);
    }
    let around = Around {
        identities: context.identities,
        resource_policy: Some(trust_policy),
        vpc_endpoint_policy: None,
    };
    let allows = |action: &str, context: crate::eval::Context| {
        let general = General {
            request: Request {
                caller: identity.caller.clone(),
                action: action.to_owned(),
                resource: role_arn.to_owned(),
                context,
            },
            resource_account: Some(account.to_owned()),
            no_resource: false,
        };
        authorize(&around, &general, false).decision == Decision::Allow
    };
    if !allows("sts:AssumeRole", request_context.clone()) {
        return Err(denied());
    }
    if !tags.is_empty() {
        let mut tagging = request_context;
        for (key, value) in &tags {
            tagging.insert_one(&format!("aws:RequestTag/{key}"), value.clone());
        }
        tagging.insert(
            "aws:TagKeys",
            ContextValue::Many(tags.iter().map(|(k, _)| k.clone()).collect()),
        );
        if !allows("sts:TagSession", tagging) {
            return Err(refused("sts:TagSession"));
        }
    }

    // IAM User Guide, id_roles_use.html: role chaining limits a session to one hour.
    if chained && duration > CHAINED_MAX {
        return Err(invalid(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.".into(),
        ));
    }
    if duration > i64::from(role.max_session_duration) {
        return Err(invalid(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.".into(),
        ));
    }
    let session_arn = format!("arn:aws:sts::{account}:assumed-role/{name}/{session_name}");
    // `AROA…:<session>`: the role's unique id, from the accounts file or derived.
    let mut session = Caller::parse(&session_arn).map_err(|e| WireError::internal(e.to_string()))?;
    context.identities.identify(&mut session);
    let assumed_role_id = session.user_id().unwrap_or_default();
    let issued = context
        .sessions
        .issue(&session_arn, tags, context.now + duration, context.now);
    let source = source_identity.map_or_else(String::new, |id| {
        format!("<SourceIdentity>{}</SourceIdentity>", escape(id))
    });
    Ok(format!(
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>{source}\
<AssumedRoleUser><AssumedRoleId>{}</AssumedRoleId><Arn>{}</Arn></AssumedRoleUser>{}\
<PackedPolicySize>0</PackedPolicySize></AssumeRoleResult>\
<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></AssumeRoleResponse>",
        escape(&assumed_role_id),
        escape(&session_arn),
        issued.to_xml(),
    ))
}
