//! `aws:userid`: the unique id of the caller, as the IAM User Guide's table
//! of principal key values gives it
//! (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable,
//! and "AWS global condition context keys", reference_policies_condition-keys.html#condition-keys-userid):
//! the account id for the root user, `AIDA…` for a user, `AROA…:<session>`
//! for a role session. Policies pin real ids, so the accounts file gives a
//! principal its own (`UserId`, `RoleId`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use keyward::eval::unique_id::{self, IdKind};
use keyward::eval::{Caller, ContextValue, Decision};
use keyward::kms::runtime::{AuditFilter, Runtime, SimulatedClock};
use keyward::kms::{ErrorName, KmsRequest};
use keyward::suite::{authorize_general, Accounts, Around, RequestSpec};

const ACCOUNT: &str = "111122223333";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ROLE_ID: &str = "AROADBQP57FF2AEXAMPLE";
const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/app/worker";
const OTHER_SESSION: &str = "arn:aws:sts::111122223333:assumed-role/other/worker";

/// The common pattern: everyone in the account may use the key, except
/// that anyone but the `app` role's sessions and the root is denied.
fn key_policy() -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [
          {{"Sid": "Account", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "kms:*", "Resource": "*"}},
          {{"Sid": "OnlyApp", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
           "Condition": {{"StringNotLike": {{"aws:userid": ["{ROLE_ID}:*", "{ACCOUNT}"]}}}}}}]}}"#
    )
}

/// An accounts file giving the `app` role its real `RoleId`, and every
/// role all of KMS.
fn accounts() -> Accounts {
    load("userid.accounts.json", &accounts_text()).unwrap_or_else(|e| panic!("{e}"))
}

/// An accounts file with two roles allowed every KMS action: `app`, with
/// the role id [`ROLE_ID`], and `other`, whose id is derived.
fn accounts_text() -> String {
    let all = r#"[{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]"#;
    format!(
        r#"{{"accounts": {{"{ACCOUNT}": {{"principals": {{
          "arn:aws:iam::{ACCOUNT}:role/app": {{"name": "app", "RoleId": "{ROLE_ID}", "policies": {all}}},
          "arn:aws:iam::{ACCOUNT}:role/other": {{"name": "other", "policies": {all}}}}}}}}}}}"#
    )
}

fn load(name: &str, text: &str) -> Result<Accounts, String> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("userid");
    std::fs::create_dir_all(&dir).unwrap();
    let path: PathBuf = dir.join(name);
    std::fs::write(&path, text).unwrap();
    Accounts::load(&path).map_err(|e| e.to_string())
}

fn compiled(text: &str) -> keyward::eval::CompiledPolicy {
    let source = keyward::source::Source::new("key-policy", text);
    let Ok(keyward::policy::Document::Policy(policy)) = keyward::policy::Document::parse(&source, None) else {
        panic!("a valid policy")
    };
    keyward::eval::CompiledPolicy::compile("key-policy", &policy).expect("compiles")
}

fn session(arn: &str) -> Caller {
    Caller::parse(arn).unwrap()
}

#[test]
fn a_deny_unless_userid_matches_lets_the_named_role_session_through() {
    // The evaluator: the KMS authorizer over the accounts file's identities.
    let mut authorizer = accounts().identities;
    authorizer.key_policy = Some(compiled(&key_policy()));
    let decide = |caller: Caller| authorizer.authorize(&KmsRequest::new(caller, "kms:Decrypt", KEY), false);
    assert_eq!(decide(session(SESSION)).decision, Decision::Allow);
    assert_eq!(
        decide(session(ACCOUNT)).decision,
        Decision::Allow,
        "the root's userid is the account"
    );
    let other = decide(session(OTHER_SESSION));
    assert_eq!(other.decision, Decision::ExplicitDeny, "{}", other.summary);
    // Without the accounts file's RoleId, the derived id is not the one the policy names.
    let mut derived = KmsRequest::new(session(SESSION), "kms:Decrypt", KEY);
    derived.caller.unique_id = Some(unique_id::derive(IdKind::Role, "aws", ACCOUNT, "app"));
    assert_eq!(authorizer.authorize(&derived, false).decision, Decision::ExplicitDeny);

    // A KMS call, as the role session, through the runtime and its audit log.
    let accounts = accounts();
    let mut rt = Runtime::new(ACCOUNT, "us-east-1", SimulatedClock::at(1_795_867_200));
    rt.identities = accounts.identities;
    let root = session(ACCOUNT);
    let key = rt.create_key(&root, None, Some(&key_policy()), false).unwrap();
    let context = BTreeMap::new();
    assert!(rt.encrypt(&session(SESSION), &key.key_id, b"x", &context, &[]).is_ok());
    let refused = rt
        .encrypt(&session(OTHER_SESSION), &key.key_id, b"x", &context, &[])
        .unwrap_err();
    assert_eq!(refused.name, ErrorName::AccessDeniedException);
    let encrypts = rt.audit.list(&AuditFilter {
        operation: Some("Encrypt".into()),
        ..AuditFilter::default()
    });
    let ids: Vec<Option<&str>> = encrypts
        .iter()
        .map(|r| r.user_identity.principal_id.as_deref())
        .collect();
    let other = unique_id::derive(IdKind::Role, "aws", ACCOUNT, "other");
    assert_eq!(
        ids,
        [
            Some(format!("{ROLE_ID}:worker").as_str()),
            Some(format!("{other}:worker").as_str())
        ]
    );
}

#[test]
fn a_bucket_policy_on_aws_userid_sees_the_accounts_files_role_id() {
    let accounts = accounts();
    let bucket_policy = compiled(&format!(
        r#"{{"Version": "2012-10-17", "Statement": [
          {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:role/app"}}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
           "Condition": {{"StringLike": {{"aws:userid": "{ROLE_ID}:*"}}}}}}]}}"#
    ));
    let around = Around {
        identities: &accounts.identities,
        resource_policy: Some(&bucket_policy),
        vpc_endpoint_policy: None,
    };
    let spec = |principal: &str| {
        RequestSpec::parse(&format!(
            r#"{{"principal": "{principal}", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "resource_account": "{ACCOUNT}"}}"#
        ))
        .unwrap()
    };
    let general = spec(SESSION).to_general_request(&[], &accounts.identities).unwrap();
    assert_eq!(
        general.request.context.get("aws:userid"),
        Some(&ContextValue::One(format!("{ROLE_ID}:worker")))
    );
    assert_eq!(authorize_general(&around, &general, false).decision, Decision::Allow);
}

#[test]
fn root_userid_is_the_account_id() {
    let root = session("arn:aws:iam::111122223333:root");
    assert_eq!(root.user_id().as_deref(), Some(ACCOUNT));
    let context = KmsRequest::new(root, "kms:Decrypt", KEY).to_eval_request().context;
    assert_eq!(context.get("aws:userid"), Some(&ContextValue::One(ACCOUNT.into())));
}

#[test]
fn an_explicit_context_entry_overrides_the_derived_userid() {
    let spec = RequestSpec::parse(&format!(
        r#"{{"principal": "{SESSION}", "action": "kms:Decrypt", "resource": "{KEY}", "context": {{"aws:userid": "{ROLE_ID}:worker"}}}}"#
    ))
    .unwrap();
    let request = spec.to_kms_request(None).unwrap();
    let context = request.to_eval_request().context;
    assert_eq!(
        context.get("aws:userid"),
        Some(&ContextValue::One(format!("{ROLE_ID}:worker")))
    );
    // A key policy that allows the session itself, so the Deny alone decides.
    let policy = key_policy().replace(r#"{"AWS": "arn:aws:iam::111122223333:root"}"#, r#""*""#);
    let authorizer = keyward::kms::Authorizer {
        key_policy: Some(compiled(&policy)),
        ..Default::default()
    };
    assert_eq!(authorizer.authorize(&request, false).decision, Decision::Allow);
    let derived = KmsRequest::new(session(SESSION), "kms:Decrypt", KEY);
    assert_eq!(authorizer.authorize(&derived, false).decision, Decision::ExplicitDeny);
}

#[test]
fn unique_ids_in_the_accounts_file_are_checked_and_explained() {
    let principal = |arn: &str, member: &str| {
        format!(r#"{{"accounts": {{"{ACCOUNT}": {{"principals": {{"{arn}": {member}}}}}}}}}"#)
    };
    let user = "arn:aws:iam::111122223333:user/alice";
    let role = "arn:aws:iam::111122223333:role/app";
    for (name, text, says) in [
        (
            "short",
            principal(user, r#"{"UserId": "AIDA123"}"#),
            "`UserId` of `arn:aws:iam::111122223333:user/alice`: `AIDA123` is not an IAM unique id",
        ),
        (
            "prefix",
            principal(role, r#"{"RoleId": "AIDACKCEVSQ6C2EXAMPLE"}"#),
            "give `AROA` and 17 uppercase letters or digits, such as `AROADBQP57FF2AEXAMPLE`",
        ),
        (
            "member",
            principal(user, r#"{"RoleId": "AROADBQP57FF2AEXAMPLE"}"#),
            "is a user: give its unique id as `UserId`",
        ),
        (
            "role-member",
            principal(role, r#"{"UserId": "AIDACKCEVSQ6C2EXAMPLE"}"#),
            "is a role: give its unique id as `RoleId`",
        ),
    ] {
        let error = load(&format!("{name}.json"), &text).unwrap_err();
        assert!(error.contains(says), "{name}: {error}");
        assert!(
            error.contains(&format!("{name}.json")),
            "{name} names the file: {error}"
        );
    }
    let shared = format!(
        r#"{{"accounts": {{"{ACCOUNT}": {{"principals": {{
          "arn:aws:iam::{ACCOUNT}:role/a": {{"RoleId": "{ROLE_ID}"}},
          "arn:aws:iam::{ACCOUNT}:role/b": {{"RoleId": "{ROLE_ID}"}}}}}}}}}}"#
    );
    let error = load("shared.json", &shared).unwrap_err();
    assert!(error.contains("is given to both"), "{error}");
    let accounts = load(
        "user.json",
        &principal(user, r#"{"name": "alice", "UserId": "AIDACKCEVSQ6C2EXAMPLE"}"#),
    )
    .unwrap();
    assert_eq!(
        accounts.caller("alice").unwrap().user_id().as_deref(),
        Some("AIDACKCEVSQ6C2EXAMPLE")
    );
}

/// The command line: `simulate --accounts` and `keyward test`.
#[cfg(feature = "cli")]
mod cli {
    use std::path::PathBuf;
    use std::process::{Command, Output, Stdio};

    use super::{accounts_text, key_policy, ACCOUNT, OTHER_SESSION, ROLE_ID, SESSION};

    fn keyward(args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_keyward"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("keyward runs")
    }

    fn folder(name: &str) -> PathBuf {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("userid-cli")
            .join(name);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    #[test]
    fn simulate_with_an_accounts_file_lets_the_role_id_through_the_userid_deny() {
        let dir = folder("simulate");
        let accounts = write(&dir, "accounts.json", &accounts_text());
        let policy = write(&dir, "key-policy.json", &key_policy());
        let request = write(
            &dir,
            "request.json",
            &format!(r#"{{"action": "kms:Decrypt", "resource": "{}"}}"#, super::KEY),
        );
        let run = |who: &str| {
            keyward(&[
                "--accounts",
                &accounts,
                "--as",
                who,
                "simulate",
                "--request",
                &request,
                "--key-policy",
                &policy,
            ])
        };
        assert_eq!(run(SESSION).status.code(), Some(0), "{:?}", run(SESSION));
        assert_eq!(run(OTHER_SESSION).status.code(), Some(1));
        assert_eq!(run(ACCOUNT).status.code(), Some(0));
    }

    #[test]
    fn a_test_suite_gives_aws_userid_explicitly_or_gets_the_derived_one() {
        let dir = folder("suite");
        let suite = format!(
            r#"{{"key_policy": {policy},
                "identity_policies": {{"arn:aws:iam::{ACCOUNT}:role/app": [{{"Statement": [{{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}}]}}]}},
                "cases": [
                  {{"name": "the app session with its real id", "request": {{"principal": "{SESSION}", "action": "kms:Decrypt",
                    "context": {{"aws:userid": "{ROLE_ID}:worker"}}}}, "expect": "Allow"}},
                  {{"name": "the app session with a derived id", "request": {{"principal": "{SESSION}", "action": "kms:Decrypt"}},
                    "expect": "ExplicitDeny"}},
                  {{"name": "the root", "request": {{"principal": "{ACCOUNT}", "action": "kms:Decrypt"}}, "expect": "Allow"}}
                ]}}"#,
            policy = key_policy()
        );
        let path = write(&dir, "userid.suite.json", &suite);
        let out = keyward(&["test", &path]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.trim_end().ends_with("3 passed, 0 failed"), "{text}");
    }

    #[test]
    fn the_repl_decides_with_the_role_id_of_its_accounts_file() {
        let dir = folder("repl");
        let accounts = write(&dir, "accounts.json", &accounts_text());
        let policy: serde_json::Value = serde_json::from_str(&key_policy()).unwrap();
        let script = format!(
            "accounts {accounts}\nlet k = key create policy {policy}\n\
             simulate kms:Decrypt on $k as {SESSION}\nexpect allow\n\
             simulate kms:Decrypt on $k as {OTHER_SESSION}\nexpect deny\n"
        );
        let mut session = keyward::repl::Session::new(keyward::repl::Options::default()).unwrap();
        let mut out = Vec::new();
        let summary = keyward::repl::run_script(
            &mut session,
            script.as_bytes(),
            keyward::repl::ScriptOptions {
                echo: true,
                keep_going: false,
                colour: false,
            },
            &mut out,
        )
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out)));
        assert_eq!(summary.failures, 0, "{}", String::from_utf8_lossy(&out));
    }
}
