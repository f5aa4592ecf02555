//! The accounts file drives the runtime: identity policies with principal
//! tags, boundaries and SCPs.

use std::collections::BTreeMap;
use std::path::Path;

use keyward::kms::runtime::{Runtime, SimulatedClock};
use keyward::kms::ErrorName;
use keyward::suite::Accounts;

fn runtime() -> (Runtime<SimulatedClock>, Accounts) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/accounts/example.accounts.json");
    let mut accounts = Accounts::load(&path).unwrap_or_else(|e| panic!("{e:?}"));
    let mut rt = Runtime::new("111122223333", "us-east-1", SimulatedClock::at(1_795_867_200));
    rt.identities = std::mem::take(&mut accounts.identities);
    (rt, accounts)
}

fn team(value: &str) -> BTreeMap<String, String> {
    [("team".to_owned(), value.to_owned())].into()
}

#[test]
fn principal_tags_feed_policy_variables() {
    let (mut rt, accounts) = runtime();
    let admin = accounts.caller("admin").unwrap();
    let app = accounts.caller("app").unwrap();
    let key = rt.create_key(&admin, None, None, false).unwrap();
    let session = keyward::eval::Caller::parse("arn:aws:sts::111122223333:assumed-role/app/worker").unwrap();
    assert_eq!(app.arn, "arn:aws:iam::111122223333:role/app");
    assert!(rt.encrypt(&session, &key.key_id, b"x", &team("billing"), &[]).is_ok());
    let denied = rt.encrypt(&session, &key.key_id, b"x", &team("ops"), &[]).unwrap_err();
    assert_eq!(denied.name, ErrorName::AccessDeniedException);
}

#[test]
fn boundaries_and_scps_apply() {
    let (mut rt, accounts) = runtime();
    let admin = accounts.caller("admin").unwrap();
    let key = rt.create_key(&admin, None, None, false).unwrap();
    // The admin's boundary leaves out Encrypt.
    assert_eq!(
        rt.encrypt(&admin, &key.key_id, b"x", &BTreeMap::new(), &[])
            .unwrap_err()
            .name,
        ErrorName::AccessDeniedException
    );
    // The SCP lets only the admin schedule deletion.
    let session = keyward::eval::Caller::parse("arn:aws:sts::111122223333:assumed-role/app/worker").unwrap();
    assert_eq!(
        rt.schedule_key_deletion(&session, &key.key_id, None).unwrap_err().name,
        ErrorName::AccessDeniedException
    );
    assert!(rt.schedule_key_deletion(&admin, &key.key_id, None).is_ok());
}

#[test]
fn bad_accounts_files_are_refused_with_a_reason() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("accounts-bad");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("a.json");
    std::fs::write(
        &path,
        r#"{"accounts": {"111122223333": {"principals": {"arn:aws:iam::444455556666:user/x": {}}}}}"#,
    )
    .unwrap();
    let error = format!("{:?}", Accounts::load(&path).unwrap_err());
    assert!(error.contains("not a principal of account"), "{error}");
    std::fs::write(&path, r#"{"accounts": {"111122223333": {"principals": {"arn:aws:iam::111122223333:user/x": {"policies": [{"Statement": [{"Efect": "Allow"}]}]}}}}}"#).unwrap();
    assert!(format!("{:?}", Accounts::load(&path).unwrap_err()).contains("UnknownElement"));
}

fn load_text(name: &str, text: &str) -> Result<Accounts, String> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("accounts-access-keys");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    Accounts::load(&path).map_err(|e| e.to_string())
}

#[test]
fn access_keys_sign_as_their_user_role_session_or_account_root() {
    let accounts = load_text(
        "keys.json",
        r#"{"accounts": {"111122223333": {
            "access_keys": {"AKIAROOT000000000001": {"secret": "r"}},
            "principals": {
              "arn:aws:iam::111122223333:role/app": {"access_keys": {
                "AKIAAPP0000000000001": {"secret": "a", "session": "worker"},
                "AKIAAPP0000000000002": {"secret": "b"}}},
              "arn:aws:iam::111122223333:user/alice": {"access_keys": {"AKIAALICE00000000001": {"secret": "c"}}}}}}}"#,
    )
    .unwrap();
    let principal = |id: &str| accounts.access_keys[id].principal.clone();
    assert_eq!(principal("AKIAROOT000000000001"), "arn:aws:iam::111122223333:root");
    assert_eq!(
        principal("AKIAAPP0000000000001"),
        "arn:aws:sts::111122223333:assumed-role/app/worker"
    );
    assert_eq!(
        principal("AKIAAPP0000000000002"),
        "arn:aws:sts::111122223333:assumed-role/app/keyward"
    );
    assert_eq!(
        principal("AKIAALICE00000000001"),
        "arn:aws:iam::111122223333:user/alice"
    );
    // Secrets never print.
    assert!(!format!("{:?}", accounts.access_keys).contains("\"c\""));
}

#[test]
fn access_keys_that_are_malformed_repeated_or_given_a_session_off_a_role_are_refused() {
    let user = |keys: &str| {
        format!(
            r#"{{"accounts": {{"111122223333": {{"principals": {{"arn:aws:iam::111122223333:user/alice": {{"access_keys": {keys}}}}}}}}}}}"#
        )
    };
    for (name, keys, says) in [
        ("short", r#"{"AKIA": {"secret": "s"}}"#, "not an access key id"),
        ("empty", r#"{"AKIAALICE00000000001": {"secret": ""}}"#, "empty secret"),
        (
            "session",
            r#"{"AKIAALICE00000000001": {"secret": "s", "session": "x"}}"#,
            "only a role's keys",
        ),
    ] {
        let error = load_text(&format!("{name}.json"), &user(keys)).unwrap_err();
        assert!(error.contains(says), "{name}: {error}");
    }
    let twice = r#"{"accounts": {"111122223333": {
        "access_keys": {"AKIAALICE00000000001": {"secret": "r"}},
        "principals": {"arn:aws:iam::111122223333:user/alice": {"access_keys": {"AKIAALICE00000000001": {"secret": "c"}}}}}}}"#;
    assert!(load_text("twice.json", twice).unwrap_err().contains("given twice"));
}

/// The accounts file's organization gives `aws:PrincipalOrgID` and
/// `aws:PrincipalOrgPaths` (and the resource's `aws:ResourceOrgID`): a key
/// policy that lets "any principal of my organization" use the key admits a
/// role of a member account and refuses the same role of an account outside.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
#[test]
fn a_key_policy_for_the_organization_admits_member_accounts_and_refuses_others() {
    let role_policy =
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}"#;
    let role = |account: &str| format!(r#""arn:aws:iam::{account}:role/app": {{"policies": [{role_policy}]}}"#);
    let mut accounts = load_text(
        "organization.json",
        &format!(
            r#"{{"organization": {{"id": "o-a1b2c3d4e5", "root": "r-ab12"}},
                "accounts": {{
                  "111122223333": {{}},
                  "444455556666": {{"ous": ["ou-ab12-11111111"], "principals": {{{}}}}},
                  "777788889999": {{"in_organization": false, "principals": {{{}}}}}}}}}"#,
            role("444455556666"),
            role("777788889999")
        ),
    )
    .unwrap();
    let mut rt = Runtime::new("111122223333", "us-east-1", SimulatedClock::at(1_795_867_200));
    rt.identities = std::mem::take(&mut accounts.identities);
    let root = keyward::eval::Caller::parse("arn:aws:iam::111122223333:root").unwrap();
    let policy = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5", "aws:ResourceOrgID": "o-a1b2c3d4e5"},
                       "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"}}}]}"#;
    let key = rt.create_key(&root, None, Some(policy), false).unwrap();
    let session = |account: &str| {
        keyward::eval::Caller::parse(&format!("arn:aws:sts::{account}:assumed-role/app/worker")).unwrap()
    };
    let encrypt = |rt: &mut Runtime<SimulatedClock>, account: &str| {
        rt.encrypt(&session(account), &key.arn, b"x", &BTreeMap::new(), &[])
    };
    assert!(encrypt(&mut rt, "444455556666").is_ok(), "a member account's role");
    assert_eq!(
        encrypt(&mut rt, "777788889999").unwrap_err().name,
        ErrorName::AccessDeniedException,
        "the same role outside the organization"
    );
}

#[test]
fn an_organization_with_malformed_ids_or_units_without_one_is_refused() {
    let refused = |name: &str, text: &str| load_text(name, text).unwrap_err();
    let error = refused(
        "bad-org.json",
        r#"{"organization": {"id": "o-BAD", "root": "r-ab12"}, "accounts": {}}"#,
    );
    assert!(error.contains("not an organization id"), "{error}");
    let error = refused(
        "bad-ou.json",
        r#"{"organization": {"id": "o-a1b2c3d4e5", "root": "r-ab12"}, "accounts": {"111122223333": {"ous": ["ou-1"]}}}"#,
    );
    assert!(error.contains("not an organizational unit id"), "{error}");
    let error = refused(
        "no-org.json",
        r#"{"accounts": {"111122223333": {"ous": ["ou-ab12-11111111"]}}}"#,
    );
    assert!(error.contains("is in no organization"), "{error}");
}

/// A role's `trust_policy` (read as a role trust policy) and
/// `max_session_duration` (IAM's 3,600 to 43,200 seconds) are for roles only.
#[test]
fn trust_policies_and_session_limits_belong_to_roles_and_are_checked() {
    let trust = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]}"#;
    let accounts = load_text(
        "trust.json",
        &format!(
            r#"{{"accounts": {{"111122223333": {{"principals": {{
                "arn:aws:iam::111122223333:role/app": {{"trust_policy": {trust}, "max_session_duration": 7200}},
                "arn:aws:iam::111122223333:role/plain": {{}}}}}}}}}}"#
        ),
    )
    .unwrap();
    let app = &accounts.roles["arn:aws:iam::111122223333:role/app"];
    assert!(app.trust_policy.is_some());
    assert_eq!(app.max_session_duration, 7200);
    let plain = &accounts.roles["arn:aws:iam::111122223333:role/plain"];
    assert!(plain.trust_policy.is_none(), "a role without one is assumed by nobody");
    assert_eq!(plain.max_session_duration, keyward::suite::DEFAULT_MAX_SESSION_SECONDS);

    let error = load_text(
        "trust-on-user.json",
        &format!(r#"{{"accounts": {{"111122223333": {{"principals": {{"arn:aws:iam::111122223333:user/u": {{"trust_policy": {trust}}}}}}}}}}}"#),
    )
    .unwrap_err();
    assert!(error.contains("is not a role"), "{error}");
    let error = load_text(
        "long-session.json",
        r#"{"accounts": {"111122223333": {"principals": {"arn:aws:iam::111122223333:role/r": {"max_session_duration": 50000}}}}}"#,
    )
    .unwrap_err();
    assert!(error.contains("outside 3600 to 43200"), "{error}");
    let error = load_text(
        "no-principal.json",
        r#"{"accounts": {"111122223333": {"principals": {"arn:aws:iam::111122223333:role/r": {"trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}}}}}}"#,
    )
    .unwrap_err();
    assert!(error.to_lowercase().contains("principal"), "{error}");
}
