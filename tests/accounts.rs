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
