use super::*;
use miette::Diagnostic as _;

fn errors(text: &str) -> Vec<PolicyError> {
    Document::parse(&Source::new("t.json", text), None)
        .expect_err("should fail")
        .errors
}

fn codes(text: &str) -> Vec<String> {
    errors(text).iter().map(PolicyError::code_str).collect()
}

fn parse(text: &str) -> Document {
    Document::parse(&Source::new("t.json", text), None).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn reads_a_key_policy() {
    let doc = parse(
        r#"{"Version": "2012-10-17", "Id": "key-default-1", "Statement": {"Sid": "Enable IAM User Permissions",
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}}"#,
    );
    let Document::Policy(policy) = doc else {
        panic!("not a policy")
    };
    assert_eq!(policy.version.map(|v| v.node), Some(Version::V2012_10_17));
    assert_eq!(policy.statements.len(), 1);
    let s = &policy.statements[0];
    assert_eq!(s.effect.node, Effect::Allow);
    assert!(policy.is_resource_policy());
    assert!(!s.action.negated);
}

#[test]
fn reports_every_problem_at_once() {
    let found = codes(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Efect": "Allow", "Action": "kms:Decrypt", "Resource": "*"},
            {"Effect": "Permit", "Action": "kms:Decrypt", "NotAction": "kms:Encrypt", "Resource": "*"},
            {"Effect": "Deny", "Action": "kms:*", "Resource": "*", "Condition": {"StringEqual": {"kms:CallerAccount": "1"}}}
        ]}"#,
    );
    assert_eq!(
        found,
        [
            // `Efect` reads as `Effect`, so no second error says `Effect` is missing.
            "keyward::policy::unknown-element",
            "keyward::policy::invalid-effect",
            "keyward::policy::conflicting-elements",
            "keyward::policy::unknown-condition-operator",
        ]
    );
}

#[test]
fn suggestions_name_the_intended_element() {
    let errs = errors(r#"{"Statement": [{"Effect": "Allow", "Actions": "kms:Decrypt", "Resource": "*"}]}"#);
    let help: Vec<String> = errs.iter().filter_map(|e| e.help().map(|h| h.to_string())).collect();
    assert!(help.iter().any(|h| h == "did you mean `Action`?"), "{help:?}");
}

#[test]
fn key_policy_statements_need_principals_when_others_have_them() {
    let found = codes(
        r#"{"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}"#,
    );
    assert_eq!(found, ["keyward::policy::missing-element"]);
}

#[test]
fn identity_policies_refuse_principals_when_asked() {
    let text = r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}"#;
    let err = Document::parse(&Source::new("t", text), Some(DocumentKind::IdentityPolicy)).unwrap_err();
    assert_eq!(err.errors[0].code_str(), "keyward::policy::misplaced-element");
}

#[test]
fn duplicate_json_keys_are_errors() {
    let found = codes(r#"{"Statement": [{"Effect": "Allow", "Effect": "Deny", "Action": "kms:*", "Resource": "*"}]}"#);
    assert_eq!(found, ["keyward::json::duplicate-key"]);
}

#[test]
fn principal_forms_aws_refuses() {
    let found = codes(
        r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:role/*",
            "arn:aws:iam::111122223333:group/Admins", "1234"]}, "Action": "kms:*", "Resource": "*"}]}"#,
    );
    assert_eq!(found, ["keyward::policy::invalid-principal"; 3]);
    let bare = codes(
        r#"{"Statement": {"Effect": "Allow", "Principal": "arn:aws:iam::111122223333:root", "Action": "kms:*", "Resource": "*"}}"#,
    );
    assert_eq!(bare, ["keyward::policy::invalid-principal"]);
}

#[test]
fn reads_grants_in_all_three_shapes() {
    let one = r#"{"GranteePrincipal": "arn:aws:iam::111122223333:role/app", "Operations": ["Decrypt"],
                  "Constraints": {"EncryptionContextSubset": {"dept": "eng"}}}"#;
    assert!(matches!(
        parse(one),
        Document::Grants(Grants {
            shape: GrantsShape::One,
            ..
        })
    ));
    let list = format!("[{one}, {one}]");
    let Document::Grants(grants) = parse(&list) else {
        panic!()
    };
    assert_eq!(grants.grants.len(), 2);
    let response = format!(r#"{{"Grants": [{one}], "Truncated": false}}"#);
    assert!(matches!(
        parse(&response),
        Document::Grants(Grants {
            shape: GrantsShape::ListGrantsResponse { .. },
            ..
        })
    ));
}

#[test]
fn grant_problems() {
    let found = codes(
        r#"{"GranteePrincipal": "p", "GranteeServicePrincipal": "s", "Operations": ["kms:Decrypt", "ReEncrypt"],
            "Constraints": {"EncryptionContextSubset": {"a":"1","b":"2","c":"3","d":"4","e":"5","f":"6","g":"7","h":"8","i":"9"}}}"#,
    );
    assert_eq!(
        found,
        [
            "keyward::policy::conflicting-elements",
            "keyward::grant::unknown-operation",
            "keyward::grant::unknown-operation",
            "keyward::grant::constraint-limit",
        ]
    );
}

#[test]
fn unknown_documents_are_reported() {
    assert_eq!(codes(r#"{"foo": 1}"#), ["keyward::policy::unknown-document"]);
    assert_eq!(codes("42"), ["keyward::policy::unknown-document"]);
}

#[test]
fn equality_ignores_spans_and_formatting() {
    let a = parse(r#"{"Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#);
    let b =
        parse("{\n  \"Statement\": [ {\n \"Resource\": \"*\", \"Action\" : \"kms:*\", \"Effect\": \"Allow\" } ]\n}");
    assert_eq!(a, b);
}

#[test]
fn printing_is_canonical_and_idempotent() {
    let doc = parse(
        r#"{"Statement": {"Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:dept": ["eng", "ops"]},
            "NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}, "Action": ["kms:Decrypt"], "Effect": "Deny",
            "Principal": "*", "Sid": "x\"y"}, "Version": "2012-10-17"}"#,
    );
    let printed = fmt::to_canonical_json(&doc);
    assert_eq!(
        printed,
        r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "x\"y",
      "Effect": "Deny",
      "Principal": "*",
      "Action": [
        "kms:Decrypt"
      ],
      "Resource": "*",
      "Condition": {
        "StringEquals": {
          "kms:EncryptionContext:dept": [
            "eng",
            "ops"
          ]
        },
        "NumericLessThan": {
          "aws:MultiFactorAuthAge": 3600
        }
      }
    }
  ]
}
"#
    );
    let again = parse(&printed);
    assert_eq!(again, doc);
    assert_eq!(fmt::to_canonical_json(&again), printed);
}
