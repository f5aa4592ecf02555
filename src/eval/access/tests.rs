//! The general evaluator's guardrail notes: a guardrail that was given but
//! did not apply says why in the trace.

use super::*;
use crate::eval::{Caller, GuardrailNote};
use crate::policy::Document;
use crate::source::Source;

fn compile(name: &str, text: &str) -> CompiledPolicy {
    let Document::Policy(p) = Document::parse(&Source::new(name, text), None).unwrap_or_else(|e| panic!("{e:?}"))
    else {
        panic!("{name} is not a policy")
    };
    CompiledPolicy::compile(name, &p).expect("compiles")
}

const USER: &str = "arn:aws:iam::111122223333:user/U";
const ALLOW_ALL: &str =
    r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;
const DENY_ALL: &str =
    r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]}"#;

fn request(caller: &str, action: &str, resource: &str) -> Request {
    Request {
        caller: Caller::parse(caller).expect("a caller"),
        action: action.into(),
        resource: resource.into(),
        context: crate::eval::Context::new(),
    }
}

#[test]
fn an_rcp_for_a_service_rcps_do_not_cover_is_skipped_with_a_note() {
    let identity = [(USER.to_owned(), compile("iam", ALLOW_ALL))];
    let rcps = [("111122223333".to_owned(), compile("rcp", DENY_ALL))];
    let policies = Policies {
        identity: &identity,
        rcps: &rcps,
        ..Policies::default()
    };
    let target = Target {
        resource_account: Some("111122223333"),
        no_resource: false,
    };
    let mut trace = Trace::default();
    let passrole = request(USER, "iam:PassRole", "arn:aws:iam::111122223333:role/r");
    let access = authorize(&policies, &passrole, target, Some(&mut trace));
    assert_eq!(access.decision, Decision::Allow);
    assert_eq!(trace.guardrails, [GuardrailNote::RcpServiceNotCovered]);
    // DynamoDB is on the current list: the same RCP denies.
    let get = request(
        USER,
        "dynamodb:GetItem",
        "arn:aws:dynamodb:us-east-1:111122223333:table/t",
    );
    assert_eq!(
        authorize(&policies, &get, target, None).decision,
        Decision::ExplicitDeny
    );
}

#[test]
fn scps_do_not_govern_a_service_principal_and_the_trace_says_so() {
    let scps = [("111122223333".to_owned(), compile("scp", DENY_ALL))];
    let bucket = compile(
        "bucket",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs/*"}]}"#,
    );
    let policies = Policies {
        resource: Some(&bucket),
        scps: &scps,
        ..Policies::default()
    };
    let target = Target {
        resource_account: Some("111122223333"),
        no_resource: false,
    };
    let mut trace = Trace::default();
    let put = request("logging.s3.amazonaws.com", "s3:PutObject", "arn:aws:s3:::logs/a");
    let access = authorize(&policies, &put, target, Some(&mut trace));
    assert_eq!(access.decision, Decision::Allow);
    assert_eq!(trace.guardrails, [GuardrailNote::ScpNotForServicePrincipal]);
}

#[test]
fn an_action_without_a_resource_notes_the_unread_resource_policy() {
    let identity = [(USER.to_owned(), compile("iam", ALLOW_ALL))];
    let bucket = compile("bucket", DENY_ALL);
    let policies = Policies {
        resource: Some(&bucket),
        identity: &identity,
        ..Policies::default()
    };
    let target = Target {
        resource_account: None,
        no_resource: true,
    };
    let mut trace = Trace::default();
    let list = request(USER, "s3:ListAllMyBuckets", "*");
    assert_eq!(
        authorize(&policies, &list, target, Some(&mut trace)).decision,
        Decision::Allow
    );
    assert_eq!(trace.guardrails, [GuardrailNote::ResourcePolicyNoResource]);
}

#[test]
fn a_service_linked_role_is_known_by_its_path_or_for_a_session_by_its_name() {
    // [IAM] using-service-linked-roles.html: under `/aws-service-role/`, named `AWSServiceRoleFor…`.
    let slr = "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
    let is_slr = |arn: &str| Caller::parse(arn).expect("a caller").is_service_linked_role();
    assert!(is_slr(slr));
    assert!(is_slr(
        "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling"
    ));
    assert!(!is_slr("arn:aws:iam::111122223333:role/AWSServiceRoleForLookalike"));
    assert!(!is_slr("arn:aws:sts::111122223333:assumed-role/app/s"));
    assert!(!is_slr(USER));
    assert!(!is_slr("autoscaling.amazonaws.com"));
}

#[test]
fn rcps_skip_service_linked_roles_and_the_management_account_with_a_note() {
    // [ORG] orgs_manage_policies_rcps.html#actions-not-restricted-by-rcps.
    let session = "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling";
    let role = "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
    let identity = [
        (role.to_owned(), compile("slr", ALLOW_ALL)),
        (USER.to_owned(), compile("iam", ALLOW_ALL)),
    ];
    let rcps = [
        ("111122223333".to_owned(), compile("rcp", DENY_ALL)),
        ("999988887777".to_owned(), compile("rcp-mgmt", DENY_ALL)),
    ];
    let mut policies = Policies {
        identity: &identity,
        rcps: &rcps,
        ..Policies::default()
    };
    let target = |account| Target {
        resource_account: Some(account),
        no_resource: false,
    };
    let object = "arn:aws:s3:::b/k";
    let decide = |policies: &Policies<'_>, caller: &str, account| {
        let mut trace = Trace::default();
        let access = authorize(
            policies,
            &request(caller, "s3:GetObject", object),
            target(account),
            Some(&mut trace),
        );
        (access.decision, trace.guardrails)
    };
    assert_eq!(
        decide(&policies, session, "111122223333"),
        (Decision::Allow, vec![GuardrailNote::RcpNotForServiceLinkedRole])
    );
    assert_eq!(
        decide(&policies, USER, "111122223333"),
        (Decision::ExplicitDeny, vec![])
    );
    // A user of another account, on a bucket of the management account.
    let resource = [(
        "arn:aws:s3:::b".to_owned(),
        compile(
            "bucket",
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/U"}, "Action": "s3:GetObject", "Resource": "*"}]}"#,
        ),
    )];
    policies.resource = Some(&resource[0].1);
    assert_eq!(
        decide(&policies, USER, "999988887777"),
        (Decision::ExplicitDeny, vec![])
    );
    policies.management_account = Some("999988887777");
    assert_eq!(
        decide(&policies, USER, "999988887777"),
        (Decision::Allow, vec![GuardrailNote::RcpNotForManagementAccount])
    );
}

#[test]
fn scps_skip_service_linked_roles_and_the_management_accounts_principals_with_a_note() {
    // [ORG] orgs_manage_policies_scps.html, "Tasks and entities not
    // restricted by SCPs": service-linked roles, and users and roles in the
    // management account.
    let session = "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling";
    let role = "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
    let identity = [
        (role.to_owned(), compile("slr", ALLOW_ALL)),
        (USER.to_owned(), compile("iam", ALLOW_ALL)),
    ];
    let scps = [("111122223333".to_owned(), compile("scp", DENY_ALL))];
    let mut policies = Policies {
        identity: &identity,
        scps: &scps,
        ..Policies::default()
    };
    let target = Target {
        resource_account: Some("111122223333"),
        no_resource: false,
    };
    let decide = |policies: &Policies<'_>, caller: &str| {
        let mut trace = Trace::default();
        let access = authorize(
            policies,
            &request(caller, "s3:GetObject", "arn:aws:s3:::b/k"),
            target,
            Some(&mut trace),
        );
        (access.decision, trace.guardrails)
    };
    assert_eq!(
        decide(&policies, session),
        (Decision::Allow, vec![GuardrailNote::ScpNotForServiceLinkedRole])
    );
    assert_eq!(decide(&policies, USER), (Decision::ExplicitDeny, vec![]));
    policies.management_account = Some("111122223333");
    assert_eq!(
        decide(&policies, USER),
        (Decision::Allow, vec![GuardrailNote::ScpNotForManagementAccount])
    );
}
