//! Whole-policy evaluation: the operators, qualifiers and missing-key rules
//! of §8.3–§8.6, each case naming the rule it pins.

use super::*;
use crate::policy::{Document, Policy};
use crate::source::Source;

fn policy(text: &str) -> CompiledPolicy {
    let Document::Policy(p) = Document::parse(&Source::new("p", text), None).unwrap_or_else(|e| panic!("{e:?}")) else {
        panic!("not a policy")
    };
    compile(&p)
}

fn compile(p: &Policy) -> CompiledPolicy {
    CompiledPolicy::compile("p", p).unwrap_or_else(|e| panic!("{e:?}"))
}

/// An identity policy with one Allow statement carrying `condition`.
fn allow_if(condition: &str) -> CompiledPolicy {
    policy(&format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": {condition}}}]}}"#
    ))
}

fn request(context: &[(&str, &[&str])]) -> Request {
    let mut ctx = Context::new();
    for (k, vs) in context {
        let value = match vs {
            [one] => ContextValue::One((*one).to_owned()),
            many => ContextValue::Many(many.iter().map(|v| (*v).to_owned()).collect()),
        };
        ctx.insert(k, value);
    }
    Request {
        caller: Caller::parse("arn:aws:iam::111122223333:user/alice").unwrap(),
        action: "kms:Decrypt".into(),
        resource: "arn:aws:kms:us-east-1:111122223333:key/k1".into(),
        context: ctx,
    }
}

fn decide(policy: &CompiledPolicy, ctx: &[(&str, &[&str])]) -> Decision {
    evaluate(policy, &request(ctx)).decision
}

fn set(values: &[&str]) -> ContextValue {
    ContextValue::Many(values.iter().map(|v| (*v).to_owned()).collect())
}

use Decision::{Allow, ExplicitDeny, ImplicitDeny};

#[test]
fn explicit_deny_overrides_allow() {
    let p = policy(
        r#"{"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
                          {"Sid": "NoDecrypt", "Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]}"#,
    );
    let response = evaluate(&p, &request(&[]));
    assert_eq!(response.decision, ExplicitDeny);
    assert_eq!(response.reasons.len(), 1);
    assert_eq!(response.reasons[0].sid, Some("NoDecrypt"));
    assert_eq!(response.reasons[0].statement, 1);
}

#[test]
fn nothing_applicable_is_an_implicit_deny() {
    let p = policy(r#"{"Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}"#);
    let r = evaluate(&p, &request(&[]));
    assert_eq!(r.decision, ImplicitDeny);
    assert!(r.reasons.is_empty());
}

#[test]
fn actions_match_case_insensitively_with_wildcards() {
    for pattern in ["kms:decrypt", "KMS:Decrypt", "kms:De*", "kms:Decryp?", "*", "kms:*"] {
        let p = policy(&format!(
            r#"{{"Statement": [{{"Effect": "Allow", "Action": "{pattern}", "Resource": "*"}}]}}"#
        ));
        assert_eq!(decide(&p, &[]), Allow, "{pattern}");
    }
    let p = policy(r#"{"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt?", "Resource": "*"}]}"#);
    assert_eq!(decide(&p, &[]), ImplicitDeny);
}

#[test]
fn not_action_and_not_resource_invert_the_match() {
    let p = policy(r#"{"Statement": [{"Effect": "Allow", "NotAction": "kms:Encrypt", "Resource": "*"}]}"#);
    assert_eq!(decide(&p, &[]), Allow);
    let p = policy(r#"{"Statement": [{"Effect": "Allow", "NotAction": "kms:De*", "Resource": "*"}]}"#);
    assert_eq!(decide(&p, &[]), ImplicitDeny);
    let p = policy(
        r#"{"Statement": [{"Effect": "Allow", "Action": "kms:*", "NotResource": "arn:aws:kms:*:111122223333:key/k2"}]}"#,
    );
    assert_eq!(decide(&p, &[]), Allow);
    let p =
        policy(r#"{"Statement": [{"Effect": "Allow", "Action": "kms:*", "NotResource": "arn:aws:kms:*:*:key/*"}]}"#);
    assert_eq!(decide(&p, &[]), ImplicitDeny);
}

#[test]
fn string_operators() {
    let eq = allow_if(r#"{"StringEquals": {"kms:EncryptionContext:dept": ["eng", "ops"]}}"#);
    assert_eq!(decide(&eq, &[("kms:EncryptionContext:dept", &["ops"])]), Allow);
    assert_eq!(decide(&eq, &[("kms:EncryptionContext:dept", &["Ops"])]), ImplicitDeny);
    // §8.7: key names are case-insensitive, including the context-key suffix.
    assert_eq!(decide(&eq, &[("KMS:encryptioncontext:DEPT", &["eng"])]), Allow);
    let ic = allow_if(r#"{"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "Blue"}}"#);
    assert_eq!(decide(&ic, &[("aws:principaltag/TEAM", &["bLUE"])]), Allow);
    let like = allow_if(r#"{"StringLike": {"kms:ViaService": "*.us-east-?.amazonaws.com"}}"#);
    assert_eq!(
        decide(&like, &[("kms:ViaService", &["s3.us-east-1.amazonaws.com"])]),
        Allow
    );
    assert_eq!(
        decide(&like, &[("kms:ViaService", &["s3.eu-west-1.amazonaws.com"])]),
        ImplicitDeny
    );
    // StringEquals takes `*` literally.
    let literal = allow_if(r#"{"StringEquals": {"aws:PrincipalTag/team": "*"}}"#);
    assert_eq!(decide(&literal, &[("aws:PrincipalTag/team", &["blue"])]), ImplicitDeny);
}

#[test]
fn negated_operators_with_several_values_need_no_value_to_match() {
    // §8.3: with a negated operator, the request value must match none of the values.
    let p = allow_if(r#"{"StringNotEquals": {"kms:EncryptionContext:dept": ["eng", "ops"]}}"#);
    assert_eq!(decide(&p, &[("kms:EncryptionContext:dept", &["hr"])]), Allow);
    assert_eq!(decide(&p, &[("kms:EncryptionContext:dept", &["ops"])]), ImplicitDeny);
    let p = allow_if(r#"{"StringNotLike": {"aws:PrincipalArn": ["*:role/admin*", "*:user/root*"]}}"#);
    assert_eq!(decide(&p, &[("aws:PrincipalArn", &["arn:aws:iam::1:role/app"])]), Allow);
    assert_eq!(
        decide(&p, &[("aws:PrincipalArn", &["arn:aws:iam::1:role/admin2"])]),
        ImplicitDeny
    );
}

#[test]
fn missing_keys_follow_section_8_3() {
    let missing: &[(&str, &[&str])] = &[];
    assert_eq!(
        decide(
            &allow_if(r#"{"StringEquals": {"kms:CallerAccount": "111122223333"}}"#),
            missing
        ),
        ImplicitDeny
    );
    assert_eq!(
        decide(
            &allow_if(r#"{"StringNotEquals": {"kms:CallerAccount": "111122223333"}}"#),
            missing
        ),
        Allow
    );
    assert_eq!(
        decide(
            &allow_if(r#"{"StringEqualsIfExists": {"kms:CallerAccount": "1"}}"#),
            missing
        ),
        Allow
    );
    assert_eq!(
        decide(
            &allow_if(r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}"#),
            missing
        ),
        ImplicitDeny
    );
    assert_eq!(
        decide(&allow_if(r#"{"Null": {"aws:MultiFactorAuthAge": "true"}}"#), missing),
        Allow
    );
    assert_eq!(
        decide(&allow_if(r#"{"Null": {"aws:MultiFactorAuthAge": "false"}}"#), missing),
        ImplicitDeny
    );
    assert_eq!(
        decide(
            &allow_if(r#"{"Null": {"aws:MultiFactorAuthAge": "false"}}"#),
            &[("aws:MultiFactorAuthAge", &["10"])]
        ),
        Allow
    );
    // The missing key is reported.
    let p = allow_if(r#"{"StringEquals": {"kms:CallerAccount": "111122223333"}}"#);
    assert_eq!(
        evaluate(&p, &request(&[])).missing_context_keys.as_slice(),
        ["kms:CallerAccount"]
    );
}

#[test]
fn if_exists_evaluates_present_keys_normally() {
    let p = allow_if(r#"{"StringEqualsIfExists": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}"#);
    assert_eq!(
        decide(&p, &[("kms:ViaService", &["ec2.us-east-1.amazonaws.com"])]),
        ImplicitDeny
    );
    assert_eq!(
        decide(&p, &[("kms:ViaService", &["s3.us-east-1.amazonaws.com"])]),
        Allow
    );
}

#[test]
fn set_qualifiers_on_missing_empty_and_present_sets() {
    // §8.5: ForAllValues is true for a missing or empty set; ForAnyValue false.
    let all = allow_if(r#"{"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["dept", "app"]}}"#);
    let any = allow_if(r#"{"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": ["dept", "app"]}}"#);
    let mut req = request(&[]);
    assert_eq!(evaluate(&all, &req).decision, Allow);
    assert_eq!(evaluate(&any, &req).decision, ImplicitDeny);
    req.context.insert("kms:EncryptionContextKeys", set(&[]));
    assert_eq!(evaluate(&all, &req).decision, Allow);
    assert_eq!(evaluate(&any, &req).decision, ImplicitDeny);
    req.context.insert("kms:EncryptionContextKeys", set(&["dept"]));
    assert_eq!(evaluate(&all, &req).decision, Allow);
    assert_eq!(evaluate(&any, &req).decision, Allow);
    req.context.insert("kms:EncryptionContextKeys", set(&["dept", "other"]));
    assert_eq!(evaluate(&all, &req).decision, ImplicitDeny);
    assert_eq!(evaluate(&any, &req).decision, Allow);
    req.context.insert("kms:EncryptionContextKeys", set(&["other"]));
    assert_eq!(evaluate(&any, &req).decision, ImplicitDeny);
}

#[test]
fn negated_set_operators() {
    // ForAllValues:StringNotEquals: no request value is listed (true when empty).
    let all_not = allow_if(r#"{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}}"#);
    let mut req = request(&[]);
    req.context.insert("aws:TagKeys", set(&["a", "b"]));
    assert_eq!(evaluate(&all_not, &req).decision, Allow);
    req.context.insert("aws:TagKeys", set(&["a", "secret"]));
    assert_eq!(evaluate(&all_not, &req).decision, ImplicitDeny);
    // ForAnyValue:StringNotEquals: at least one request value is not listed.
    let any_not = allow_if(r#"{"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["secret"]}}"#);
    assert_eq!(evaluate(&any_not, &req).decision, Allow);
    req.context.insert("aws:TagKeys", set(&["secret"]));
    assert_eq!(evaluate(&any_not, &req).decision, ImplicitDeny);
}

#[test]
fn operators_and_keys_are_anded_values_ored() {
    let p = allow_if(
        r#"{"StringEquals": {"kms:EncryptionContext:dept": ["eng", "ops"], "kms:CallerAccount": "111122223333"},
            "Bool": {"aws:SecureTransport": "true"}}"#,
    );
    let all = [
        ("kms:EncryptionContext:dept", &["ops"][..]),
        ("kms:CallerAccount", &["111122223333"][..]),
        ("aws:SecureTransport", &["true"][..]),
    ];
    assert_eq!(decide(&p, &all), Allow);
    assert_eq!(decide(&p, &all[..2]), ImplicitDeny);
    assert_eq!(
        decide(&p, &[all[0], ("kms:CallerAccount", &["444455556666"]), all[2]]),
        ImplicitDeny
    );
}

#[test]
fn numeric_date_bool_binary_ip_and_arn_operators() {
    let n = allow_if(r#"{"NumericLessThanEquals": {"aws:MultiFactorAuthAge": 3600}}"#);
    assert_eq!(decide(&n, &[("aws:MultiFactorAuthAge", &["3600"])]), Allow);
    assert_eq!(decide(&n, &[("aws:MultiFactorAuthAge", &["3600.5"])]), ImplicitDeny);
    assert_eq!(decide(&n, &[("aws:MultiFactorAuthAge", &["soon"])]), ImplicitDeny);
    let d = allow_if(r#"{"DateLessThan": {"aws:CurrentTime": "2026-12-01T00:00:00Z"}}"#);
    assert_eq!(decide(&d, &[("aws:CurrentTime", &["2026-11-28T18:00:00Z"])]), Allow);
    assert_eq!(
        decide(&d, &[("aws:CurrentTime", &["2026-12-01T00:00:00Z"])]),
        ImplicitDeny
    );
    let epoch = allow_if(r#"{"DateGreaterThan": {"aws:EpochTime": "2026-01-01"}}"#);
    assert_eq!(decide(&epoch, &[("aws:EpochTime", &["1800000000"])]), Allow);
    let b = allow_if(r#"{"Bool": {"kms:GrantIsForAWSResource": true}}"#);
    assert_eq!(decide(&b, &[("kms:GrantIsForAWSResource", &["true"])]), Allow);
    assert_eq!(decide(&b, &[("kms:GrantIsForAWSResource", &["false"])]), ImplicitDeny);
    let bin = allow_if(r#"{"BinaryEquals": {"key:blob": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}"#);
    assert_eq!(decide(&bin, &[("key:blob", &["QmluYXJ5VmFsdWVJbkJhc2U2NA=="])]), Allow);
    let ip = allow_if(r#"{"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}}"#);
    assert_eq!(decide(&ip, &[("aws:SourceIp", &["203.0.113.9"])]), Allow);
    assert_eq!(decide(&ip, &[("aws:SourceIp", &["2001:db8:1234:5678::9"])]), Allow);
    assert_eq!(decide(&ip, &[("aws:SourceIp", &["198.51.100.1"])]), ImplicitDeny);
    let not_ip = allow_if(r#"{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#);
    assert_eq!(decide(&not_ip, &[("aws:SourceIp", &["198.51.100.1"])]), Allow);
    let arn = allow_if(r#"{"ArnLike": {"aws:SourceArn": "arn:aws:s3:::bucket-*"}}"#);
    assert_eq!(decide(&arn, &[("aws:SourceArn", &["arn:aws:s3:::bucket-1"])]), Allow);
    // §8.4: ArnLike matches component-wise; a `*` cannot cross a `:`.
    let arn = allow_if(r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/app"}}"#);
    assert_eq!(
        decide(&arn, &[("aws:PrincipalArn", &["arn:aws:iam::111122223333:role/app"])]),
        Allow
    );
    assert_eq!(
        decide(&arn, &[("aws:PrincipalArn", &["arn:aws:iam::1:x:role/app"])]),
        ImplicitDeny
    );
}

#[test]
fn policy_variables_resolve_only_in_2012_10_17() {
    let with = policy(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
            "Condition": {"StringEquals": {"kms:EncryptionContext:owner": "${aws:username}"}}}]}"#,
    );
    assert_eq!(
        decide(
            &with,
            &[
                ("aws:username", &["alice"]),
                ("kms:EncryptionContext:owner", &["alice"])
            ]
        ),
        Allow
    );
    assert_eq!(
        decide(
            &with,
            &[("aws:username", &["alice"]), ("kms:EncryptionContext:owner", &["bob"])]
        ),
        ImplicitDeny
    );
    let r = evaluate(&with, &request(&[("kms:EncryptionContext:owner", &["alice"])]));
    assert_eq!(r.decision, ImplicitDeny);
    assert!(r.missing_context_keys.contains(&"aws:username"));
    // §8.1: without Version, `${…}` is literal text.
    let without = policy(
        r#"{"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
            "Condition": {"StringEquals": {"kms:EncryptionContext:owner": "${aws:username}"}}}]}"#,
    );
    assert_eq!(
        decide(
            &without,
            &[
                ("aws:username", &["alice"]),
                ("kms:EncryptionContext:owner", &["alice"])
            ]
        ),
        ImplicitDeny
    );
    assert_eq!(
        decide(&without, &[("kms:EncryptionContext:owner", &["${aws:username}"])]),
        Allow
    );
}

#[test]
fn unresolved_variables_match_nothing_but_satisfy_negations() {
    // §8.6: a missing variable makes a positive condition false and a negated one true.
    let pos = allow_if(r#"{"StringLike": {"kms:EncryptionContext:owner": "${aws:PrincipalTag/team}"}}"#);
    assert_eq!(decide(&pos, &[("kms:EncryptionContext:owner", &["x"])]), ImplicitDeny);
    let neg = allow_if(r#"{"StringNotEquals": {"kms:EncryptionContext:owner": "${aws:PrincipalTag/team}"}}"#);
    assert_eq!(decide(&neg, &[("kms:EncryptionContext:owner", &["x"])]), Allow);
    let default =
        allow_if(r#"{"StringEquals": {"kms:EncryptionContext:owner": "${aws:PrincipalTag/team, 'shared'}"}}"#);
    assert_eq!(decide(&default, &[("kms:EncryptionContext:owner", &["shared"])]), Allow);
}

#[test]
fn variables_in_resources() {
    // §8.6: only in the resource part, after the fifth colon.
    let p = policy(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt",
            "Resource": "arn:aws:kms:*:111122223333:key/${aws:PrincipalTag/key}"}]}"#,
    );
    assert_eq!(decide(&p, &[("aws:PrincipalTag/key", &["k1"])]), Allow);
    assert_eq!(decide(&p, &[("aws:PrincipalTag/key", &["k2"])]), ImplicitDeny);
    assert_eq!(decide(&p, &[]), ImplicitDeny);
    let in_account = policy(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt",
            "Resource": "arn:aws:kms:*:${aws:PrincipalAccount}:key/*"}]}"#,
    );
    assert_eq!(
        decide(&in_account, &[("aws:PrincipalAccount", &["111122223333"])]),
        ImplicitDeny
    );
}

#[test]
fn invalid_condition_values_refuse_to_compile() {
    let text = r#"{"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
        "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "an hour"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/33"},
                      "DateLessThan": {"aws:CurrentTime": "tomorrow"}}}]}"#;
    let Document::Policy(p) = Document::parse(&Source::new("p", text), None).unwrap() else {
        panic!()
    };
    let errors = CompiledPolicy::compile("p", &p).unwrap_err();
    assert_eq!(errors.len(), 3);
}

#[test]
fn principals_in_resource_policies() {
    let p = policy(
        r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "kms:Decrypt", "Resource": "*"}]}"#,
    );
    let mut req = request(&[]);
    assert_eq!(evaluate(&p, &req).decision, ImplicitDeny);
    req.caller = Caller::parse("arn:aws:sts::111122223333:assumed-role/app/session-1").unwrap();
    let r = evaluate(&p, &req);
    assert_eq!(r.decision, Allow);
    assert_eq!(r.reasons[0].principal, Some(PrincipalMatch::Role));
}

#[test]
fn trace_records_why_each_statement_failed() {
    let p = policy(
        r#"{"Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "1"}}},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}"#,
    );
    let mut trace = Trace::default();
    let r = evaluate_traced(&p, &request(&[]), &mut trace);
    assert_eq!(r.decision, Allow);
    let outcomes: Vec<&Outcome> = trace.entries.iter().map(|e| &e.outcome).collect();
    assert_eq!(outcomes[0], &Outcome::ActionNotMatched);
    assert!(matches!(outcomes[1], Outcome::ConditionFailed(f) if f.key == "kms:CallerAccount" && f.missing));
    assert_eq!(outcomes[2], &Outcome::Applies);
}

#[test]
fn empty_values_are_null_for_every_operator() {
    // §8.3: a key whose value is the empty string (or an empty set) is null,
    // so every operator treats it as absent.
    let empty: &[(&str, &[&str])] = &[("aws:PrincipalTag/team", &[""])];
    assert_eq!(
        decide(&allow_if(r#"{"StringLike": {"aws:PrincipalTag/team": "*"}}"#), empty),
        ImplicitDeny
    );
    assert_eq!(
        decide(
            &allow_if(r#"{"StringEqualsIfExists": {"aws:PrincipalTag/team": "x"}}"#),
            empty
        ),
        Allow
    );
    assert_eq!(
        decide(
            &allow_if(r#"{"StringNotEquals": {"aws:PrincipalTag/team": "x"}}"#),
            empty
        ),
        Allow
    );
    assert_eq!(
        decide(&allow_if(r#"{"Null": {"aws:PrincipalTag/team": "true"}}"#), empty),
        Allow
    );
    assert_eq!(
        decide(
            &allow_if(r#"{"ForAllValues:StringEquals": {"aws:PrincipalTag/team": "x"}}"#),
            empty
        ),
        Allow
    );
    let mut req = request(&[]);
    req.context.insert("aws:TagKeys", set(&[]));
    let any_if_exists = allow_if(r#"{"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "x"}}"#);
    assert_eq!(evaluate(&any_if_exists, &req).decision, Allow);
    // A variable whose key is empty takes its default.
    let default = policy(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
            "Condition": {"StringEquals": {"kms:EncryptionContext:team": "${aws:PrincipalTag/team, 'shared'}"}}}]}"#,
    );
    assert_eq!(
        decide(
            &default,
            &[
                ("aws:PrincipalTag/team", &[""]),
                ("kms:EncryptionContext:team", &["shared"])
            ]
        ),
        Allow
    );
}
