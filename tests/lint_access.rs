//! `keyward lint --check-no-new-access` and `--check-access-not-granted`,
//! on pairs of policies where the answer is known (`policies/access/`).

use std::path::Path;

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
fn a_narrowed_condition_leaves_the_answer_open_rather_than_guessing() {
    // Adding a condition only takes access away, but the sampled requests
    // cannot prove that for every value, so the check says so.
    assert!(matches!(
        check("key.condition-removed.json", "key.conditioned.json"),
        Verdict::CannotDecide(_)
    ));
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
