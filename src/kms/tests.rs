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
    assert_eq!(r.reasons.len(), 1, "one statement allows both halves, cited once");
}

mod grant_rules {
    //! `CreateGrant` validation (§6.3–§6.5) and sub-grant limits.

    use super::super::*;
    use super::grants;
    use crate::policy::Grant;

    fn grant(text: &str) -> Grant {
        grants(text).remove(0)
    }

    fn rejects(text: &str, key: KeyInfo) -> KmsError {
        validate_grant(&grant(text), key).expect_err("should be refused")
    }

    const ROLE: &str = "arn:aws:iam::111122223333:role/app";

    #[test]
    fn operations_must_suit_the_key() {
        // §6.3: no Sign on a symmetric key, no GenerateDataKey on an asymmetric one.
        let e = rejects(
            &format!(r#"{{"GranteePrincipal": "{ROLE}", "Operations": ["Sign"]}}"#),
            KeyInfo::SYMMETRIC,
        );
        assert_eq!(e.name, ErrorName::ValidationException);
        let rsa_sign = KeyInfo::parse("RSA_2048", Some("SIGN_VERIFY")).unwrap();
        assert!(validate_grant(
            &grant(&format!(
                r#"{{"GranteePrincipal": "{ROLE}", "Operations": ["Sign", "Verify", "GetPublicKey", "DescribeKey"]}}"#
            )),
            rsa_sign
        )
        .is_ok());
        let e = rejects(
            &format!(r#"{{"GranteePrincipal": "{ROLE}", "Operations": ["GenerateDataKey"]}}"#),
            rsa_sign,
        );
        assert!(e.message.contains("GenerateDataKey"), "{e}");
        let hmac = KeyInfo::parse("HMAC_256", None).unwrap();
        assert!(validate_grant(
            &grant(&format!(
                r#"{{"GranteePrincipal": "{ROLE}", "Operations": ["GenerateMac", "VerifyMac", "RetireGrant"]}}"#
            )),
            hmac
        )
        .is_ok());
    }

    #[test]
    fn encryption_context_constraints_only_on_symmetric_keys() {
        let text = format!(
            r#"{{"GranteePrincipal": "{ROLE}", "Operations": ["DescribeKey"], "Constraints": {{"EncryptionContextSubset": {{"a": "b"}}}}}}"#
        );
        assert!(validate_grant(&grant(&text), KeyInfo::SYMMETRIC).is_ok());
        let e = rejects(&text, KeyInfo::parse("ECC_NIST_P256", Some("SIGN_VERIFY")).unwrap());
        assert!(e.message.contains("symmetric encryption"), "{e}");
    }

    #[test]
    fn principal_forms() {
        for ok in [
            "111122223333",
            "arn:aws:iam::111122223333:root",
            "arn:aws:iam::111122223333:user/a",
            ROLE,
            "arn:aws:sts::111122223333:assumed-role/app/s",
            "arn:aws:sts::111122223333:federated-user/f",
        ] {
            assert!(
                validate_grant(
                    &grant(&format!(r#"{{"GranteePrincipal": "{ok}", "Operations": ["Decrypt"]}}"#)),
                    KeyInfo::SYMMETRIC
                )
                .is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "arn:aws:iam::111122223333:group/admins",
            "*",
            "arn:aws:iam::111122223333:role/*",
        ] {
            let e = rejects(
                &format!(r#"{{"GranteePrincipal": "{bad}", "Operations": ["Decrypt"]}}"#),
                KeyInfo::SYMMETRIC,
            );
            assert_eq!(e.name, ErrorName::ValidationException, "{bad}");
        }
    }

    #[test]
    fn service_principal_grants_need_a_source_arn_and_a_retiring_principal() {
        let base = r#""GranteeServicePrincipal": "dynamodb.amazonaws.com", "Operations": ["Decrypt"]"#;
        assert!(rejects(&format!("{{{base}}}"), KeyInfo::SYMMETRIC)
            .message
            .contains("SourceArn"));
        let with_arn =
            format!(r#"{{{base}, "Constraints": {{"SourceArn": "arn:aws:dynamodb:us-east-1:111122223333:table/t"}}}}"#);
        assert!(rejects(&with_arn, KeyInfo::SYMMETRIC)
            .message
            .contains("retiring principal"));
        let complete = format!(
            r#"{{{base}, "RetiringServicePrincipal": "dynamodb.amazonaws.com", "Constraints": {{"SourceArn": "arn:aws:dynamodb:us-east-1:111122223333:table/t"}}}}"#
        );
        assert!(validate_grant(&grant(&complete), KeyInfo::SYMMETRIC).is_ok());
    }

    #[test]
    fn names_and_tokens_have_limits() {
        let e = rejects(
            &format!(r#"{{"GranteePrincipal": "{ROLE}", "Operations": ["Decrypt"], "Name": "has space"}}"#),
            KeyInfo::SYMMETRIC,
        );
        assert!(
            e.message
                .starts_with("1 validation error detected: Value 'has space' at 'name'"),
            "{e}"
        );
        let tokens: Vec<String> = (0..11).map(|i| format!("\"t{i}\"")).collect();
        let e = rejects(
            &format!(
                r#"{{"GranteePrincipal": "{ROLE}", "Operations": ["Decrypt"], "GrantTokens": [{}]}}"#,
                tokens.join(",")
            ),
            KeyInfo::SYMMETRIC,
        );
        assert!(e.message.contains("grantTokens"), "{e}");
    }

    fn within(parent: &str, child: &str) -> Result<(), String> {
        grant_within(&grant(parent), &grant(child))
    }

    #[test]
    fn a_child_grant_is_at_most_its_parent() {
        // §6.5: operations a subset; Subset may grow or become Equals; Equals stays identical.
        let parent = format!(
            r#"{{"GranteePrincipal": "{ROLE}", "Operations": ["Decrypt", "CreateGrant"], "Constraints": {{"EncryptionContextSubset": {{"dept": "IT"}}}}}}"#
        );
        let child = |ops: &str, constraints: &str| {
            format!(r#"{{"GranteePrincipal": "{ROLE}", "Operations": {ops}{constraints}}}"#)
        };
        assert!(within(
            &parent,
            &child(
                r#"["Decrypt"]"#,
                r#", "Constraints": {"EncryptionContextSubset": {"DEPT": "IT", "env": "prod"}}"#
            )
        )
        .is_ok());
        assert!(within(
            &parent,
            &child(
                r#"["Decrypt"]"#,
                r#", "Constraints": {"EncryptionContextEquals": {"dept": "IT", "env": "prod"}}"#
            )
        )
        .is_ok());
        assert!(within(
            &parent,
            &child(
                r#"["Encrypt"]"#,
                r#", "Constraints": {"EncryptionContextSubset": {"dept": "IT"}}"#
            )
        )
        .is_err());
        assert!(within(&parent, &child(r#"["Decrypt"]"#, "")).is_err());
        assert!(within(
            &parent,
            &child(
                r#"["Decrypt"]"#,
                r#", "Constraints": {"EncryptionContextSubset": {"dept": "it"}}"#
            )
        )
        .is_err());
        let equals = format!(
            r#"{{"GranteePrincipal": "{ROLE}", "Operations": ["Decrypt"], "Constraints": {{"EncryptionContextEquals": {{"dept": "IT"}}}}}}"#
        );
        assert!(within(
            &equals,
            &child(
                r#"["Decrypt"]"#,
                r#", "Constraints": {"EncryptionContextEquals": {"dept": "IT"}}"#
            )
        )
        .is_ok());
        assert!(within(
            &equals,
            &child(
                r#"["Decrypt"]"#,
                r#", "Constraints": {"EncryptionContextSubset": {"dept": "IT"}}"#
            )
        )
        .is_err());
        assert!(within(
            &equals,
            &child(
                r#"["Decrypt"]"#,
                r#", "Constraints": {"EncryptionContextEquals": {"dept": "IT", "x": "y"}}"#
            )
        )
        .is_err());
    }

    #[test]
    fn create_grant_condition_keys_come_from_the_new_grant() {
        let mut request = super::request(super::USER, "kms:CreateGrant");
        request.create_grant = Some(grant(&format!(
            r#"{{"GranteePrincipal": "{ROLE}", "RetiringPrincipal": "{ROLE}", "Operations": ["Decrypt", "Encrypt"], "Constraints": {{"EncryptionContextSubset": {{"dept": "IT"}}}}}}"#
        )));
        let ctx = request.to_eval_request().context;
        assert_eq!(
            ctx.get("kms:GrantOperations"),
            Some(&crate::eval::ContextValue::Many(vec![
                "Decrypt".into(),
                "Encrypt".into()
            ]))
        );
        assert_eq!(
            ctx.get("kms:GranteePrincipal"),
            Some(&crate::eval::ContextValue::One(ROLE.into()))
        );
        assert_eq!(
            ctx.get("kms:GrantConstraintType"),
            Some(&crate::eval::ContextValue::One("EncryptionContextSubset".into()))
        );
        assert_eq!(
            ctx.get("kms:EncryptionContext:dept"),
            Some(&crate::eval::ContextValue::One("IT".into()))
        );
        assert_eq!(
            ctx.get("kms:GrantIsForAWSResource"),
            Some(&crate::eval::ContextValue::One("false".into()))
        );
    }

    #[test]
    fn re_encrypt_to_sees_the_destination_context() {
        let mut a = super::with_key_policy(super::DEFAULT_KEY_POLICY);
        a.grants = grants(&format!(
            r#"[{{"GranteePrincipal": "{}", "Operations": ["ReEncryptFrom", "ReEncryptTo"], "Constraints": {{"EncryptionContextSubset": {{"stage": "new"}}}}}}]"#,
            super::USER
        ));
        let mut request = super::request(super::USER, "kms:ReEncryptTo");
        request.encryption_context.insert("stage".into(), "old".into());
        request.destination_encryption_context = Some([("stage".to_owned(), "new".to_owned())].into());
        assert_eq!(super::decide(&a, &request), crate::eval::Decision::Allow);
        request.action = "kms:ReEncryptFrom".into();
        assert_eq!(super::decide(&a, &request), crate::eval::Decision::ImplicitDeny);
    }
}

mod grant_book {
    //! Tokens, propagation, idempotency, retiring and listing (§6.5–§6.7).

    use super::super::*;
    use super::grants;
    use crate::policy::Grant;

    const KEY: &str = super::KEY;
    const APP: &str = "arn:aws:iam::111122223333:role/app";

    fn grant(text: &str) -> Grant {
        grants(text).remove(0)
    }

    /// Ids and tokens `id-1`, `id-2`, … in order.
    fn counter() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("id-{n}")
        }
    }

    fn decrypt_grant(name: Option<&str>) -> Grant {
        let name = name.map(|n| format!(r#", "Name": "{n}""#)).unwrap_or_default();
        grant(&format!(
            r#"{{"GranteePrincipal": "{APP}", "Operations": ["Decrypt"]{name}}}"#
        ))
    }

    #[test]
    fn a_new_grant_is_usable_with_its_token_before_it_propagates() {
        let mut book = GrantBook::new(300);
        let mut mint = counter();
        let issued = book
            .create(KEY, "111122223333", decrypt_grant(None), 1_000, &mut mint)
            .unwrap();
        assert!(book.usable(KEY, &[], 1_000).unwrap().is_empty(), "not yet propagated");
        assert_eq!(
            book.usable(KEY, std::slice::from_ref(&issued.grant_token), 1_000)
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            book.usable(KEY, &[], 1_300).unwrap().len(),
            1,
            "propagated after the delay"
        );
        let unknown = book.usable(KEY, &["forged".to_owned()], 1_300).unwrap_err();
        assert_eq!(unknown.name, ErrorName::InvalidGrantTokenException);
    }

    #[test]
    fn simulations_see_new_grants_at_once_by_default() {
        let mut book = GrantBook::default();
        book.create(KEY, "111122223333", decrypt_grant(None), 5, &mut counter())
            .unwrap();
        assert_eq!(book.usable(KEY, &[], 5).unwrap().len(), 1);
    }

    #[test]
    fn create_grant_with_the_same_name_is_idempotent() {
        let mut book = GrantBook::default();
        let mut mint = counter();
        let first = book
            .create(KEY, "111122223333", decrypt_grant(Some("app-read")), 0, &mut mint)
            .unwrap();
        let again = book
            .create(KEY, "111122223333", decrypt_grant(Some("app-read")), 1, &mut mint)
            .unwrap();
        assert_eq!(first.grant_id, again.grant_id);
        assert_ne!(first.grant_token, again.grant_token, "each call returns a new token");
        assert_eq!(book.list(KEY, None, None).len(), 1);
        // Both tokens work.
        assert_eq!(
            book.by_token(&first.grant_token).unwrap(),
            book.by_token(&again.grant_token).unwrap()
        );
        // Without a name, identical requests make two grants; the same name on another key too.
        book.create(KEY, "111122223333", decrypt_grant(None), 2, &mut mint)
            .unwrap();
        book.create(KEY, "111122223333", decrypt_grant(None), 3, &mut mint)
            .unwrap();
        assert_eq!(book.list(KEY, None, None).len(), 3);
        let other = "arn:aws:kms:us-east-1:111122223333:key/other";
        let elsewhere = book
            .create(other, "111122223333", decrypt_grant(Some("app-read")), 4, &mut mint)
            .unwrap();
        assert_ne!(elsewhere.grant_id, first.grant_id);
    }

    #[test]
    fn retire_and_revoke_find_grants_by_token_or_id() {
        let mut book = GrantBook::default();
        let issued = book
            .create(KEY, "111122223333", decrypt_grant(None), 0, &mut counter())
            .unwrap();
        let by_token = book.by_token(&issued.grant_token).unwrap().grant_id.clone().unwrap();
        assert_eq!(by_token.node, issued.grant_id);
        assert_eq!(book.by_id(KEY, "nope").unwrap_err().name, ErrorName::NotFoundException);
        assert_eq!(
            book.by_id(KEY, "").unwrap_err().name,
            ErrorName::InvalidGrantIdException
        );
        book.remove(KEY, &issued.grant_id).unwrap();
        assert!(book.list(KEY, None, None).is_empty());
        assert_eq!(
            book.by_token(&issued.grant_token).unwrap_err().name,
            ErrorName::InvalidGrantTokenException
        );
    }

    #[test]
    fn list_filters_by_id_grantee_and_retiring_principal() {
        let mut book = GrantBook::default();
        let mut mint = counter();
        let a = book
            .create(KEY, "111122223333", decrypt_grant(None), 0, &mut mint)
            .unwrap();
        let retirable = grant(&format!(
            r#"{{"GranteePrincipal": "arn:aws:iam::111122223333:user/u", "RetiringPrincipal": "{APP}", "Operations": ["Encrypt"]}}"#
        ));
        book.create(KEY, "111122223333", retirable, 0, &mut mint).unwrap();
        assert_eq!(book.list(KEY, Some(&a.grant_id), None).len(), 1);
        assert_eq!(book.list(KEY, None, Some(APP)).len(), 1);
        assert_eq!(book.list(KEY, None, Some("arn:aws:iam::111122223333:user/u")).len(), 1);
        assert_eq!(book.list_retirable(APP).len(), 1);
        let listed = book.list(KEY, Some(&a.grant_id), None)[0];
        assert_eq!(
            listed.issuing_account.as_ref().map(|a| a.node.as_str()),
            Some("arn:aws:iam::111122223333:root")
        );
        assert_eq!(listed.key_id.as_ref().map(|k| k.node.as_str()), Some(KEY));
    }

    #[test]
    fn retiring_principals_and_issuing_accounts_may_retire_but_the_key_policy_cannot() {
        // §6.6: RetireGrant is authorized by the grant, not by `kms:RetireGrant` in a key policy.
        let mut book = GrantBook::default();
        let retirable = grant(&format!(
            r#"{{"GranteePrincipal": "arn:aws:iam::111122223333:user/u", "RetiringPrincipal": "{APP}", "Operations": ["Encrypt"]}}"#
        ));
        book.create(KEY, "111122223333", retirable, 0, &mut counter()).unwrap();
        let key_policy_allows_all =
            r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}"#;
        let mut a = super::with_key_policy(key_policy_allows_all);
        a.grants = book.usable(KEY, &[], 0).unwrap().into_iter().cloned().collect();
        let retire = |who: &str| super::decide(&a, &super::request(who, "kms:RetireGrant"));
        assert_eq!(
            retire("arn:aws:sts::111122223333:assumed-role/app/s"),
            crate::eval::Decision::Allow
        );
        assert_eq!(
            retire("arn:aws:iam::111122223333:root"),
            crate::eval::Decision::Allow,
            "the issuing account"
        );
        assert_eq!(
            retire("arn:aws:iam::111122223333:user/u"),
            crate::eval::Decision::ImplicitDeny,
            "the grantee lacks RetireGrant"
        );
        assert_eq!(
            retire("arn:aws:iam::444455556666:user/x"),
            crate::eval::Decision::ImplicitDeny
        );
        // RevokeGrant is ordinary key-policy authorization.
        assert_eq!(
            super::decide(
                &a,
                &super::request("arn:aws:iam::111122223333:user/u", "kms:RevokeGrant")
            ),
            crate::eval::Decision::Allow
        );
    }
}

#[test]
fn a_grant_token_is_kept_as_its_sha256_in_lowercase_hex() {
    // FIPS 180-2, appendix B.1: SHA-256("abc").
    assert_eq!(
        crate::kms::token_hash("abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

const ALLOW_ALL_GUARDRAIL: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}"#;
const DENY_ALL_GUARDRAIL: &str =
    r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]}"#;

fn notes(authorization: &Authorization) -> Vec<crate::eval::GuardrailNote> {
    authorization
        .trace
        .as_ref()
        .map(|t| t.guardrails.clone())
        .unwrap_or_default()
}

#[test]
fn the_endpoint_policy_of_the_requests_vpc_endpoint_must_allow_even_a_grant() {
    // [KMS] vpce-connect.html: a key policy, IAM policy or grant, and the endpoint policy.
    let mut a = with_key_policy(DEFAULT_KEY_POLICY);
    a.grants = grants(&format!(
        r#"{{"KeyId": "{KEY}", "GrantId": "g1", "GranteePrincipal": "{USER}", "Operations": ["Decrypt"]}}"#
    ));
    a.vpc_endpoint_policies.push((
        "vpce-1".into(),
        compile(
            "endpoint",
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*"}]}"#,
        ),
    ));
    let through = |endpoint: &str| {
        let mut req = request(USER, "kms:Decrypt");
        req.context.insert_one("aws:SourceVpce", endpoint);
        req
    };
    let r = a.authorize(&through("vpce-1"), false);
    assert_eq!(
        (r.decision, r.why),
        (Decision::ImplicitDeny, "vpc-endpoint-implicit-deny")
    );
    assert_eq!(decide(&a, &request(USER, "kms:Decrypt")), Decision::Allow);
    // An endpoint with no policy given has AWS's default one: every request passes.
    let other = a.authorize(&through("vpce-2"), true);
    assert_eq!(other.decision, Decision::Allow);
    assert_eq!(notes(&other), [crate::eval::GuardrailNote::VpcEndpointDefaultPolicy]);
}

#[test]
fn rcps_do_not_impact_retire_grant_and_the_trace_says_so() {
    // [ORG] orgs_manage_policies_rcps.html, "Resources and entities not restricted by RCPs".
    let retiring = "arn:aws:iam::111122223333:user/R";
    let mut a = with_key_policy(DEFAULT_KEY_POLICY);
    a.grants = grants(&format!(
        r#"{{"KeyId": "{KEY}", "GrantId": "g1", "GranteePrincipal": "{USER}", "RetiringPrincipal": "{retiring}", "Operations": ["Decrypt"]}}"#
    ));
    a.rcps.push(("111122223333".into(), compile("rcp", DENY_ALL_GUARDRAIL)));
    let mut retire = request(retiring, "kms:RetireGrant");
    retire.grant_id = Some("g1".into());
    let r = a.authorize(&retire, true);
    assert_eq!(r.decision, Decision::Allow);
    assert_eq!(notes(&r), [crate::eval::GuardrailNote::RcpNotForRetireGrant]);
    assert_eq!(decide(&a, &request(USER, "kms:Decrypt")), Decision::ExplicitDeny);
}

#[test]
fn a_service_principal_is_outside_scps_and_the_trace_says_so() {
    let mut a = with_key_policy(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey", "Resource": "*"}]}"#,
    );
    a.scps.push(("111122223333".into(), compile("scp", DENY_ALL_GUARDRAIL)));
    let r = a.authorize(&request("cloudtrail.amazonaws.com", "kms:GenerateDataKey"), true);
    assert_eq!(r.decision, Decision::Allow);
    assert_eq!(notes(&r), [crate::eval::GuardrailNote::ScpNotForServicePrincipal]);
}

#[test]
fn an_action_without_a_key_notes_the_unread_key_policy_and_the_callers_rcps() {
    let mut a = with_key_policy(DEFAULT_KEY_POLICY);
    a.identity_policies.push((USER.into(), compile("iam", IAM_ALLOW_ALL)));
    a.rcps
        .push(("111122223333".into(), compile("rcp", ALLOW_ALL_GUARDRAIL)));
    let r = a.authorize(
        &KmsRequest::new(Caller::parse(USER).unwrap(), "kms:CreateKey", "*"),
        true,
    );
    assert_eq!(r.decision, Decision::Allow);
    assert_eq!(
        notes(&r),
        [
            crate::eval::GuardrailNote::ResourcePolicyNoResource,
            crate::eval::GuardrailNote::RcpOfCallerAccount
        ]
    );
}

#[test]
fn an_identity_allow_cut_by_the_boundary_is_identity_limited_naming_the_boundary() {
    let mut a = with_key_policy(DEFAULT_KEY_POLICY);
    a.identity_policies.push((USER.into(), compile("iam", IAM_ALLOW_ALL)));
    a.boundaries
        .push((USER.into(), compile("boundary-of-U", IAM_ALLOW_ENCRYPT)));
    let r = a.authorize(&request(USER, "kms:Decrypt"), false);
    assert_eq!((r.decision, r.why), (Decision::ImplicitDeny, "identity-limited"));
    assert!(r.summary.contains("boundary-of-U"), "{}", r.summary);
    // Without the key policy's delegation it is still the boundary that cut it.
    let r = a.authorize(
        &KmsRequest::new(Caller::parse(USER).unwrap(), "kms:CreateKey", "*"),
        false,
    );
    assert_eq!((r.decision, r.why), (Decision::ImplicitDeny, "identity-limited"));
}

#[test]
fn a_key_policy_naming_the_callers_role_reports_names_role() {
    let a = with_key_policy(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "kms:Decrypt", "Resource": "*"}]}"#,
    );
    let r = a.authorize(
        &request("arn:aws:sts::111122223333:assumed-role/app/s", "kms:Decrypt"),
        false,
    );
    assert_eq!((r.decision, r.why), (Decision::Allow, "resource-policy-names-role"));
    let r = a.authorize(&request("arn:aws:iam::111122223333:role/app", "kms:Decrypt"), false);
    assert_eq!((r.decision, r.why), (Decision::Allow, "resource-policy-names-role"));
}
