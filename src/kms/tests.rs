//! The authorization vectors of §5.7 and the other rules of §5.6.

use super::*;
use crate::eval::{Caller, CompiledPolicy, Decision};
use crate::policy::{Document, Grants};
use crate::source::Source;

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const DEFAULT_KEY_POLICY: &str = r#"{"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{"Sid": "Enable IAM User Permissions",
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}"#;
const IAM_ALLOW_ENCRYPT: &str =
    r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}"#;
const IAM_ALLOW_ALL: &str =
    r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}"#;
const USER: &str = "arn:aws:iam::111122223333:user/U";

fn compile(name: &str, text: &str) -> CompiledPolicy {
    let Document::Policy(p) = Document::parse(&Source::new(name, text), None).unwrap_or_else(|e| panic!("{e:?}"))
    else {
        panic!()
    };
    CompiledPolicy::compile(name, &p).unwrap()
}

fn grants(text: &str) -> Vec<crate::policy::Grant> {
    let Document::Grants(Grants { grants, .. }) = Document::parse(&Source::new("grants", text), None).unwrap() else {
        panic!()
    };
    grants.into_iter().map(|g| g.node).collect()
}

fn request(caller: &str, action: &str) -> KmsRequest {
    KmsRequest::new(Caller::parse(caller).unwrap(), action, KEY)
}

fn with_key_policy(text: &str) -> Authorizer {
    Authorizer {
        key_policy: Some(compile("key-policy", text)),
        ..Authorizer::default()
    }
}

fn decide(authorizer: &Authorizer, request: &KmsRequest) -> Decision {
    authorizer.authorize(request, false).decision
}

#[test]
fn vector_1_default_policy_without_iam_policy_denies() {
    let a = with_key_policy(DEFAULT_KEY_POLICY);
    assert_eq!(decide(&a, &request(USER, "kms:Encrypt")), Decision::ImplicitDeny);
}

#[test]
fn vector_2_default_policy_delegates_to_iam() {
    let mut a = with_key_policy(DEFAULT_KEY_POLICY);
    a.identity_policies
        .push((USER.into(), compile("iam", IAM_ALLOW_ENCRYPT)));
    let r = a.authorize(&request(USER, "kms:Encrypt"), false);
    assert_eq!(r.decision, Decision::Allow);
    assert_eq!(r.path, Some(Path::IdentityPolicy));
    assert_eq!(
        r.reasons.len(),
        2,
        "the key policy's delegation and the identity policy's allow"
    );
}

#[test]
fn vector_3_without_delegation_iam_policies_are_ignored() {
    let mut a = with_key_policy(
        r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/Admin"}, "Action": "kms:DescribeKey", "Resource": "*"}]}"#,
    );
    a.identity_policies.push((USER.into(), compile("iam", IAM_ALLOW_ALL)));
    assert_eq!(decide(&a, &request(USER, "kms:Encrypt")), Decision::ImplicitDeny);
    // Vector 4: the named user needs no IAM policy.
    let r = a.authorize(
        &request("arn:aws:iam::111122223333:user/Admin", "kms:DescribeKey"),
        false,
    );
    assert_eq!((r.decision, r.path), (Decision::Allow, Some(Path::KeyPolicy)));
}

#[test]
fn vector_5_key_policy_deny_on_context_beats_iam_allow() {
    let mut a = with_key_policy(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "RequireApp", "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"StringNotEquals": {"kms:EncryptionContext:app": "x"}}}]}"#,
    );
    a.identity_policies.push((USER.into(), compile("iam", IAM_ALLOW_ALL)));
    let mut req = request(USER, "kms:Decrypt");
    req.encryption_context.insert("app".into(), "y".into());
    let r = a.authorize(&req, false);
    assert_eq!(r.decision, Decision::ExplicitDeny);
    assert_eq!(r.reasons[0].sid.as_deref(), Some("RequireApp"));
    req.encryption_context.insert("app".into(), "x".into());
    assert_eq!(decide(&a, &req), Decision::Allow);
}

#[test]
fn vector_6_grant_constraints_compare_values_case_sensitively() {
    let mut a = with_key_policy(DEFAULT_KEY_POLICY);
    a.grants = grants(
        r#"[{"GrantId": "g1", "GranteePrincipal": "arn:aws:iam::111122223333:user/U", "Operations": ["Decrypt"],
             "Constraints": {"EncryptionContextSubset": {"dept": "IT"}}}]"#,
    );
    let mut req = request(USER, "kms:Decrypt");
    req.encryption_context = [("dept".to_owned(), "IT".to_owned()), ("p".to_owned(), "1".to_owned())].into();
    let r = a.authorize(&req, false);
    assert_eq!((r.decision, r.path), (Decision::Allow, Some(Path::Grant)));
    assert_eq!(r.reasons[0].grant_id.as_deref(), Some("g1"));
    req.encryption_context = [("dept".to_owned(), "it".to_owned())].into();
    assert_eq!(decide(&a, &req), Decision::ImplicitDeny);
    req.encryption_context.clear();
    assert_eq!(decide(&a, &req), Decision::ImplicitDeny);
    // §6.4: constraint keys are not case-sensitive.
    req.encryption_context = [("DEPT".to_owned(), "IT".to_owned())].into();
    assert_eq!(decide(&a, &req), Decision::Allow);
}

const CROSS_ACCOUNT_KEY_POLICY: &str = r#"{"Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:Encrypt", "Resource": "*"}]}"#;
const ROLE_R: &str = "arn:aws:iam::444455556666:role/R";
const SESSION_R: &str = "arn:aws:sts::444455556666:assumed-role/R/s";

#[test]
fn vector_7_and_8_cross_account_needs_both_sides() {
    let mut a = with_key_policy(CROSS_ACCOUNT_KEY_POLICY);
    assert_eq!(
        decide(&a, &request(SESSION_R, "kms:Encrypt")),
        Decision::ImplicitDeny,
        "vector 8"
    );
    a.identity_policies.push((
        ROLE_R.into(),
        compile(
            "iam",
            &format!(r#"{{"Statement": [{{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "{KEY}"}}]}}"#),
        ),
    ));
    assert_eq!(
        decide(&a, &request(SESSION_R, "kms:Encrypt")),
        Decision::Allow,
        "vector 7"
    );
    assert_eq!(decide(&a, &request(SESSION_R, "kms:Decrypt")), Decision::ImplicitDeny);
}

#[test]
fn vector_10_cross_account_grant_needs_no_iam_policy() {
    let mut a = with_key_policy(DEFAULT_KEY_POLICY);
    a.grants = grants(
        r#"{"GrantId": "g", "GranteePrincipal": "arn:aws:iam::444455556666:role/R", "Operations": ["Encrypt"]}"#,
    );
    let r = a.authorize(&request(SESSION_R, "kms:Encrypt"), false);
    assert_eq!((r.decision, r.path), (Decision::Allow, Some(Path::Grant)));
}

#[test]
fn vector_11_scp_deny_wins_over_iam_allow() {
    let mut a = with_key_policy(DEFAULT_KEY_POLICY);
    a.identity_policies.push((USER.into(), compile("iam", IAM_ALLOW_ALL)));
    a.scps.push(("111122223333".into(), compile("scp", r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]}"#)));
    assert_eq!(decide(&a, &request(USER, "kms:Decrypt")), Decision::ExplicitDeny);
    assert_eq!(decide(&a, &request(USER, "kms:Encrypt")), Decision::Allow);
}

#[test]
fn scps_and_rcps_must_allow() {
    let mut a = with_key_policy(DEFAULT_KEY_POLICY);
    a.identity_policies.push((USER.into(), compile("iam", IAM_ALLOW_ALL)));
    a.scps.push((
        "111122223333".into(),
        compile(
            "scp",
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#,
        ),
    ));
    assert_eq!(decide(&a, &request(USER, "kms:Encrypt")), Decision::ImplicitDeny);
    a.scps[0].1 = compile(
        "scp",
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
    );
    a.rcps.push((
        "111122223333".into(),
        compile(
            "rcp",
            r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}"#,
        ),
    ));
    assert_eq!(decide(&a, &request(USER, "kms:Encrypt")), Decision::ImplicitDeny);
}

#[test]
fn vector_12_principal_star_with_caller_account_needs_no_iam() {
    let a = with_key_policy(
        r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*",
            "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}}]}"#,
    );
    assert_eq!(decide(&a, &request(USER, "kms:Encrypt")), Decision::Allow);
    assert_eq!(
        decide(&a, &request("arn:aws:iam::444455556666:user/X", "kms:Encrypt")),
        Decision::ImplicitDeny
    );
}

#[test]
fn root_user_is_allowed_through_the_account_principal_only() {
    assert_eq!(
        decide(
            &with_key_policy(DEFAULT_KEY_POLICY),
            &request("arn:aws:iam::111122223333:root", "kms:ScheduleKeyDeletion")
        ),
        Decision::Allow
    );
    let a = with_key_policy(
        r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/Admin"}, "Action": "kms:*", "Resource": "*"}]}"#,
    );
    assert_eq!(
        decide(&a, &request("arn:aws:iam::111122223333:root", "kms:Decrypt")),
        Decision::ImplicitDeny
    );
}

#[test]
fn boundaries_and_session_policies_limit_identity_allows() {
    let mut a = with_key_policy(DEFAULT_KEY_POLICY);
    a.identity_policies.push((USER.into(), compile("iam", IAM_ALLOW_ALL)));
    a.boundaries.push((USER.into(), compile("boundary", IAM_ALLOW_ENCRYPT)));
    assert_eq!(decide(&a, &request(USER, "kms:Encrypt")), Decision::Allow);
    assert_eq!(decide(&a, &request(USER, "kms:Decrypt")), Decision::ImplicitDeny);

    // A session policy limits sessions (§8.8 step 8), not IAM users.
    let role = "arn:aws:iam::111122223333:role/app";
    let session = "arn:aws:sts::111122223333:assumed-role/app/s1";
    a.identity_policies.push((role.into(), compile("role", IAM_ALLOW_ALL)));
    a.session_policy = Some(compile(
        "session",
        r#"{"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}"#,
    ));
    assert_eq!(decide(&a, &request(session, "kms:Decrypt")), Decision::Allow);
    assert_eq!(decide(&a, &request(session, "kms:Encrypt")), Decision::ImplicitDeny);
    assert_eq!(decide(&a, &request(USER, "kms:Encrypt")), Decision::Allow);
}

#[test]
fn a_role_named_in_the_key_policy_covers_its_sessions_within_its_boundary() {
    let mut a = with_key_policy(
        r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "kms:*", "Resource": "*"}]}"#,
    );
    let session = "arn:aws:sts::111122223333:assumed-role/app/i-1";
    assert_eq!(decide(&a, &request(session, "kms:Decrypt")), Decision::Allow);
    a.boundaries.push((
        "arn:aws:iam::111122223333:role/app".into(),
        compile("boundary", IAM_ALLOW_ENCRYPT),
    ));
    assert_eq!(decide(&a, &request(session, "kms:Decrypt")), Decision::ImplicitDeny);
}

#[test]
fn iam_only_actions_ignore_the_key_policy() {
    let mut a = with_key_policy(DEFAULT_KEY_POLICY);
    let mut req = request(USER, "kms:CreateKey");
    req.resource = "*".into();
    assert_eq!(decide(&a, &req), Decision::ImplicitDeny);
    a.identity_policies.push((
        USER.into(),
        compile(
            "iam",
            r#"{"Statement": [{"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*"}]}"#,
        ),
    ));
    let r = a.authorize(&req, false);
    assert_eq!((r.decision, r.path), (Decision::Allow, Some(Path::IdentityPolicy)));
}

#[test]
fn derived_context_keys_are_filled_in() {
    let mut req = request("arn:aws:sts::111122223333:assumed-role/app/s", "kms:Decrypt");
    req.encryption_context.insert("Dept".into(), "eng".into());
    req.via_service = Some("s3.us-east-1.amazonaws.com".into());
    req.time = Some("2026-11-28T12:00:00Z".into());
    let ctx = req.to_eval_request().context;
    let one = |k: &str| match ctx.get(k) {
        Some(crate::eval::ContextValue::One(v)) => v.clone(),
        other => panic!("{k}: {other:?}"),
    };
    assert_eq!(one("aws:PrincipalArn"), "arn:aws:iam::111122223333:role/app");
    assert_eq!(one("kms:CallerAccount"), "111122223333");
    assert_eq!(one("aws:PrincipalType"), "AssumedRole");
    assert_eq!(one("kms:EncryptionContext:dept"), "eng");
    assert_eq!(one("kms:ViaService"), "s3.us-east-1.amazonaws.com");
    assert_eq!(one("aws:EpochTime"), "1795867200");
    assert_eq!(one("aws:ResourceAccount"), "111122223333");
}

#[test]
fn re_encrypt_needs_both_halves() {
    // §5.6: ReEncrypt is authorized as ReEncryptFrom on the source key and ReEncryptTo on the destination.
    let a = with_key_policy(
        r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/U"}, "Action": "kms:ReEncryptFrom", "Resource": "*"}]}"#,
    );
    assert_eq!(decide(&a, &request(USER, "kms:ReEncrypt")), Decision::ImplicitDeny);
    let a = with_key_policy(
        r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/U"}, "Action": "kms:ReEncrypt*", "Resource": "*"}]}"#,
    );
    let r = a.authorize(&request(USER, "kms:ReEncrypt"), false);
    assert_eq!(r.decision, Decision::Allow);
    assert_eq!(r.reasons.len(), 2);
}
