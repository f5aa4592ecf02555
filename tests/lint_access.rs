//! `keyward lint --check-no-new-access` and `--check-access-not-granted`,
//! on pairs of policies where the answer is known (`policies/access/`).

use std::path::Path;

use keyward::eval::ContextValue;
use keyward::lint::access::{access_not_granted, no_new_access, Verdict};
use keyward::policy::{Document, DocumentKind, Policy};
use keyward::source::Source;

fn policy(name: &str) -> Policy {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/access").join(name);
    let source = Source::new(name, std::fs::read_to_string(path).expect("fixture"));
    match Document::parse(&source, Some(DocumentKind::Policy)) {
        Ok(Document::Policy(policy)) => policy,
        other => panic!("{name}: {other:?}"),
    }
}

fn check(old: &str, new: &str) -> Verdict {
    no_new_access(&policy(old), &policy(new)).expect("evaluable")
}

#[test]
fn a_widened_action_is_new_access_with_a_request_that_shows_it() {
    let Verdict::Fail(request) = check("read.base.json", "read.widened-action.json") else {
        panic!("expected new access");
    };
    assert!(request.action.to_ascii_lowercase().starts_with("s3:get"));
    assert_ne!(request.action.to_ascii_lowercase(), "s3:getobject");
    assert!(request.resource.starts_with("arn:aws:s3:::reports/"));
}

#[test]
fn reformatting_and_narrowing_grant_no_new_access() {
    assert_eq!(check("read.base.json", "read.reformatted.json"), Verdict::Pass);
    assert_eq!(check("read.base.json", "read.narrowed.json"), Verdict::Pass);
    assert_eq!(check("key.conditioned.json", "key.conditioned.json"), Verdict::Pass);
}

#[test]
fn a_removed_condition_is_new_access() {
    let Verdict::Fail(request) = check("key.conditioned.json", "key.condition-removed.json") else {
        panic!("expected new access");
    };
    assert!(!request.context.contains("kms:ViaService"), "{request:?}");
}

#[test]
fn a_principal_changed_to_everyone_is_new_access_for_an_outsider() {
    let Verdict::Fail(request) = check("key.conditioned.json", "key.public.json") else {
        panic!("expected new access");
    };
    assert_ne!(request.caller.arn, "arn:aws:iam::111122223333:role/App");
}

#[test]
fn an_added_condition_only_takes_access_away_and_passes() {
    // The new statement applies only where the old one did and its
    // condition holds: proven whatever the condition's values.
    assert_eq!(
        check("key.condition-removed.json", "key.conditioned.json"),
        Verdict::Pass
    );
}

#[test]
fn fewer_condition_values_pass_and_more_fail_with_the_new_value() {
    // Values of a non-negated operator are OR-ed (IAM User Guide,
    // reference_policies_condition-logic-multiple-context-keys-or-values).
    assert_eq!(check("key.two-services.json", "key.conditioned.json"), Verdict::Pass);
    let Verdict::Fail(request) = check("key.conditioned.json", "key.two-services.json") else {
        panic!("expected new access");
    };
    assert_eq!(
        request.context.get("kms:ViaService"),
        Some(&ContextValue::One("sqs.us-east-1.amazonaws.com".to_owned()))
    );
}

#[test]
fn a_condition_change_keyward_cannot_prove_is_undecided_not_pass() {
    // `ec2:VolumeSize < 5` is narrower than `< 10`, but keyward does not
    // compare numeric bounds: it must not claim a proof either way.
    assert!(matches!(
        check("size.below-10.json", "size.below-5.json"),
        Verdict::CannotDecide(_)
    ));
    let Verdict::Fail(request) = check("size.below-5.json", "size.below-10.json") else {
        panic!("expected new access");
    };
    assert!(request.context.contains("ec2:VolumeSize"), "{request:?}");
}

#[test]
fn a_shifted_wildcard_is_new_access_on_a_resource_only_the_new_pattern_matches() {
    // `b/*y` allows `b/ay`, which `b/x*` does not: every way an ARN can
    // stand to the two patterns is tried, not one fixed letter per `*`.
    let Verdict::Fail(request) = check("shift.x-star.json", "shift.star-y.json") else {
        panic!("expected new access");
    };
    let tail = request
        .resource
        .strip_prefix("arn:aws:s3:::b/")
        .expect("a resource in bucket b");
    assert!(tail.ends_with('y') && !tail.starts_with('x'), "{}", request.resource);
    let Verdict::Fail(request) = check("shift.star-y.json", "shift.x-star.json") else {
        panic!("expected new access");
    };
    let tail = request
        .resource
        .strip_prefix("arn:aws:s3:::b/")
        .expect("a resource in bucket b");
    assert!(tail.starts_with('x') && !tail.ends_with('y'), "{}", request.resource);
}

#[test]
fn a_pattern_inside_both_old_ones_grants_no_new_access() {
    assert_eq!(check("shift.x-star.json", "shift.xy.json"), Verdict::Pass);
    assert_eq!(check("shift.star-y.json", "shift.xy.json"), Verdict::Pass);
    assert!(matches!(check("shift.xy.json", "shift.x-star.json"), Verdict::Fail(_)));
}

#[test]
fn a_deny_needing_two_keys_at_once_is_found_when_it_moves_away() {
    // The old deny needs both keys in one request; a context with only
    // one of them would miss the new access.
    let Verdict::Fail(request) = check("deny-both.base.json", "deny-both.moved.json") else {
        panic!("expected new access");
    };
    assert!(request.resource.starts_with("arn:aws:s3:::reports/"), "{request:?}");
    assert!(request.context.contains("aws:PrincipalTag/team"), "{request:?}");
    assert!(request.context.contains("aws:RequestedRegion"), "{request:?}");
    assert_eq!(check("deny-both.moved.json", "deny-both.base.json"), Verdict::Pass);
}

#[test]
fn access_not_granted_names_a_request_for_an_allowed_action() {
    let read = policy("read.widened-action.json");
    let actions = |list: &[&str]| list.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
    assert!(matches!(
        access_not_granted(&read, &actions(&["s3:GetObjectAcl"]), &[]),
        Ok(Verdict::Fail(_))
    ));
    assert_eq!(
        access_not_granted(&read, &actions(&["s3:PutObject", "s3:Delete*"]), &[]),
        Ok(Verdict::Pass)
    );
    let elsewhere = vec!["arn:aws:s3:::payroll/salaries.csv".to_owned()];
    assert_eq!(
        access_not_granted(&read, &actions(&["s3:GetObject"]), &elsewhere),
        Ok(Verdict::Pass)
    );
}

#[test]
fn access_not_granted_finds_a_resource_both_wildcards_allow() {
    // The policy allows `b/*y`; the question is about `b/a*`: `b/ay` is both.
    let policy = policy("shift.star-y.json");
    let get = vec!["s3:GetObject".to_owned()];
    let Ok(Verdict::Fail(request)) = access_not_granted(&policy, &get, &["arn:aws:s3:::b/a*".to_owned()]) else {
        panic!("expected a request");
    };
    let tail = request
        .resource
        .strip_prefix("arn:aws:s3:::b/a")
        .expect("a resource under b/a");
    assert!(tail.ends_with('y') || tail.is_empty() && request.resource.ends_with('y'));
    assert_eq!(
        access_not_granted(&policy, &get, &["arn:aws:s3:::b/*x".to_owned()]),
        Ok(Verdict::Pass)
    );
}
