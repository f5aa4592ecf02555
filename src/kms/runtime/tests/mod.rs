//! The runtime end to end: the conformance seeds of §13 that apply to
//! symmetric keys, authorization on every call, key states and tampering.

use std::collections::BTreeMap;

use super::*;
use crate::kms::ErrorName;

const ACCOUNT: &str = "111122223333";

fn runtime() -> Runtime<SimulatedClock> {
    Runtime::new(ACCOUNT, "us-east-1", SimulatedClock::at(1_795_867_200))
}

fn root() -> Caller {
    Caller::parse("arn:aws:iam::111122223333:root").unwrap()
}

fn user(name: &str) -> Caller {
    Caller::parse(&format!("arn:aws:iam::111122223333:user/{name}")).unwrap()
}

fn ctx(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn identity_policy(rt: &mut Runtime<SimulatedClock>, principal: &str, text: &str) {
    let Document::Policy(p) = Document::parse(&Source::new("iam", text), Some(DocumentKind::IdentityPolicy)).unwrap()
    else {
        panic!()
    };
    rt.identities
        .identity_policies
        .push((principal.to_owned(), CompiledPolicy::compile(principal, &p).unwrap()));
}

fn err<T: std::fmt::Debug>(result: Result<T, KmsError>) -> (ErrorName, String) {
    let e = result.expect_err("should fail");
    (e.name, e.message)
}

#[test]
fn the_default_key_policy_lets_the_root_user_in_and_delegates_to_iam() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), Some("app data"), None, false).unwrap();
    assert_eq!(
        (key.state, key.enabled, key.key_spec, key.key_usage),
        (KeyState::Enabled, true, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
    );
    assert_eq!(key.current_key_material_id.as_ref().map(String::len), Some(64));
    assert!(rt.describe_key(&root(), &key.key_id).is_ok());
    // §5.7 vector 1: a user with no IAM policy is denied.
    let (name, message) = err(rt.encrypt(&user("alice"), &key.key_id, b"x", &BTreeMap::new(), &[]));
    assert_eq!(name, ErrorName::AccessDeniedException);
    assert!(
        message.starts_with(&format!(
            "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:Encrypt on resource: {}",
            key.arn
        )),
        "{message}"
    );
    // Vector 2: with an IAM allow, the delegation works.
    identity_policy(
        &mut rt,
        "arn:aws:iam::111122223333:user/alice",
        r#"{"Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}"#,
    );
    assert!(rt
        .encrypt(&user("alice"), &key.key_id, b"x", &BTreeMap::new(), &[])
        .is_ok());
}

#[test]
fn create_key_is_an_iam_action() {
    let mut rt = runtime();
    assert_eq!(
        err(rt.create_key(&user("bob"), None, None, false)).0,
        ErrorName::AccessDeniedException
    );
    identity_policy(
        &mut rt,
        "arn:aws:iam::111122223333:user/bob",
        r#"{"Statement": [{"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*"}]}"#,
    );
    let key = rt.create_key(&user("bob"), None, None, false).unwrap();
    // Creating a key gives its creator nothing on it (§1.4 CreateKey).
    assert_eq!(
        err(rt.describe_key(&user("bob"), &key.key_id)).0,
        ErrorName::AccessDeniedException
    );
}

#[test]
fn encrypt_and_decrypt_bind_the_encryption_context() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    let sealed = rt
        .encrypt(&root(), &key.arn, b"hello", &ctx(&[("ab", "c")]), &[])
        .unwrap();
    assert_eq!(sealed.key_arn, key.arn);
    let opened = rt
        .decrypt(&root(), &sealed.ciphertext_blob, None, &ctx(&[("ab", "c")]), &[])
        .unwrap();
    assert_eq!(opened.plaintext.as_slice(), b"hello");
    assert_eq!(opened.key_material_id, sealed.key_material_id);
    for wrong in [
        ctx(&[("a", "bc")]),
        ctx(&[("AB", "c")]),
        ctx(&[]),
        ctx(&[("ab", "c"), ("x", "y")]),
    ] {
        assert_eq!(
            err(rt.decrypt(&root(), &sealed.ciphertext_blob, None, &wrong, &[])),
            (ErrorName::InvalidCiphertextException, String::new())
        );
    }
    let mut tampered = sealed.ciphertext_blob.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert_eq!(
        err(rt.decrypt(&root(), &tampered, None, &ctx(&[("ab", "c")]), &[])).0,
        ErrorName::InvalidCiphertextException
    );
}

#[test]
fn decrypt_with_another_key_id_is_incorrect_key() {
    let mut rt = runtime();
    let a = rt.create_key(&root(), None, None, false).unwrap();
    let b = rt.create_key(&root(), None, None, false).unwrap();
    let sealed = rt.encrypt(&root(), &a.key_id, b"x", &BTreeMap::new(), &[]).unwrap();
    let (name, message) = err(rt.decrypt(&root(), &sealed.ciphertext_blob, Some(&b.key_id), &BTreeMap::new(), &[]));
    assert_eq!(name, ErrorName::IncorrectKeyException);
    assert_eq!(
        message,
        "The key ID in the request does not identify a CMK that can perform this operation."
    );
    assert!(rt
        .decrypt(&root(), &sealed.ciphertext_blob, Some(&a.arn), &BTreeMap::new(), &[])
        .is_ok());
}

#[test]
fn plaintext_and_random_limits_use_aws_wording() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    let too_big = err(rt.encrypt(&root(), &key.key_id, &[0; 4097], &BTreeMap::new(), &[]));
    assert_eq!(too_big.1, "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
    assert!(rt
        .encrypt(&root(), &key.key_id, &[0; 4096], &BTreeMap::new(), &[])
        .is_ok());
    assert_eq!(err(rt.generate_random(&root(), Some(0))).1, "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1");
    assert_eq!(err(rt.generate_random(&root(), Some(1025))).1, "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024");
    assert_eq!(err(rt.generate_random(&root(), None)).1, "NumberOfBytes is required.");
    assert_eq!(rt.generate_random(&root(), Some(32)).unwrap().len(), 32);
}

#[test]
fn data_keys_are_sealed_under_the_key_and_open_with_decrypt() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    assert_eq!(err(DataKeySize::parse(None, None)).0, ErrorName::ValidationException);
    assert_eq!(
        err(DataKeySize::parse(Some("AES_256"), Some(32))).0,
        ErrorName::ValidationException
    );
    let dk = rt
        .generate_data_key(
            &root(),
            &key.key_id,
            Some("AES_256"),
            None,
            &ctx(&[("file", "a")]),
            &[],
            true,
        )
        .unwrap();
    let plaintext = dk.plaintext.expect("a plaintext data key");
    assert_eq!(plaintext.len(), 32);
    let opened = rt
        .decrypt(&root(), &dk.ciphertext_blob, None, &ctx(&[("file", "a")]), &[])
        .unwrap();
    assert_eq!(opened.plaintext.as_slice(), plaintext.as_slice());
    let without = rt
        .generate_data_key(&root(), &key.key_id, None, Some(64), &BTreeMap::new(), &[], false)
        .unwrap();
    assert!(without.plaintext.is_none());
    assert_eq!(
        rt.decrypt(&root(), &without.ciphertext_blob, None, &BTreeMap::new(), &[])
            .unwrap()
            .plaintext
            .len(),
        64
    );
}

#[test]
fn key_states_follow_the_state_table() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    let blob = rt
        .encrypt(&root(), &key.key_id, b"x", &BTreeMap::new(), &[])
        .unwrap()
        .ciphertext_blob;
    rt.disable_key(&root(), &key.key_id).unwrap();
    assert_eq!(
        err(rt.encrypt(&root(), &key.key_id, b"x", &BTreeMap::new(), &[])),
        (ErrorName::DisabledException, format!("{} is disabled.", key.arn))
    );
    assert_eq!(
        err(rt.decrypt(&root(), &blob, None, &BTreeMap::new(), &[])).0,
        ErrorName::DisabledException
    );
    assert!(rt.describe_key(&root(), &key.key_id).is_ok());
    rt.enable_key(&root(), &key.key_id).unwrap();
    assert!(rt.decrypt(&root(), &blob, None, &BTreeMap::new(), &[]).is_ok());

    assert_eq!(
        err(rt.schedule_key_deletion(&root(), &key.key_id, Some(6))).0,
        ErrorName::ValidationException
    );
    let pending = rt.schedule_key_deletion(&root(), &key.key_id, Some(7)).unwrap();
    assert_eq!(
        (pending.state, pending.deletion_date.map(epoch_seconds)),
        (KeyState::PendingDeletion, Some(1_795_867_200 + 7 * 86_400))
    );
    assert_eq!(
        err(rt.encrypt(&root(), &key.key_id, b"x", &BTreeMap::new(), &[])).0,
        ErrorName::KMSInvalidStateException
    );
    assert_eq!(
        err(rt.enable_key(&root(), &key.key_id)).0,
        ErrorName::KMSInvalidStateException
    );
    let cancelled = rt.cancel_key_deletion(&root(), &key.key_id).unwrap();
    assert_eq!(
        cancelled.state,
        KeyState::Disabled,
        "§3.4: cancelling leaves the key disabled"
    );
    assert_eq!(
        err(rt.cancel_key_deletion(&root(), &key.key_id)).0,
        ErrorName::KMSInvalidStateException
    );

    rt.schedule_key_deletion(&root(), &key.key_id, None).unwrap();
    rt.clock.advance(30 * 86_400 - 1);
    rt.sweep();
    assert!(
        rt.describe_key(&root(), &key.key_id).is_ok(),
        "one second before the window ends"
    );
    rt.clock.advance(1);
    rt.sweep();
    assert_eq!(
        err(rt.describe_key(&root(), &key.key_id)).0,
        ErrorName::NotFoundException
    );
}

/// `sweep` skips its walk while nothing changed and nothing is due; a key
/// scheduled for deletion after a sweep found the next due time a year
/// away must still be deleted when its own, earlier, window ends.
#[test]
fn a_change_after_a_sweep_is_swept_at_its_own_due_time() {
    let mut rt = runtime();
    let rotating = rt.create_key(&root(), None, None, false).unwrap();
    rt.enable_key_rotation(&root(), &rotating.key_id, Some(365)).unwrap();
    let doomed = rt.create_key(&root(), None, None, false).unwrap();
    rt.sweep();
    rt.schedule_key_deletion(&root(), &doomed.key_id, Some(7)).unwrap();
    rt.clock.advance(7 * 86_400 - 1);
    rt.sweep();
    assert!(rt.describe_key(&root(), &doomed.key_id).is_ok());
    rt.clock.advance(1);
    rt.sweep();
    assert_eq!(
        err(rt.describe_key(&root(), &doomed.key_id)).0,
        ErrorName::NotFoundException
    );
    assert!(rt.list_key_rotations(&root(), &rotating.key_id).unwrap().is_empty());
    rt.clock.advance(358 * 86_400);
    rt.sweep();
    assert_eq!(rt.list_key_rotations(&root(), &rotating.key_id).unwrap().len(), 1);
}

#[test]
fn aliases_name_keys_everywhere() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    let alias = rt.create_alias(&root(), "alias/app", &key.key_id).unwrap();
    assert_eq!(alias.arn, "arn:aws:kms:us-east-1:111122223333:alias/app");
    for name in ["alias/app", alias.arn.as_str(), key.key_id.as_str(), key.arn.as_str()] {
        assert_eq!(rt.describe_key(&root(), name).unwrap().key_id, key.key_id, "{name}");
    }
    let blob = rt
        .encrypt(&root(), "alias/app", b"x", &BTreeMap::new(), &[])
        .unwrap()
        .ciphertext_blob;
    assert!(rt
        .decrypt(&root(), &blob, Some("alias/app"), &BTreeMap::new(), &[])
        .is_ok());
    assert_eq!(
        err(rt.create_alias(&root(), "alias/app", &key.key_id)).0,
        ErrorName::AlreadyExistsException
    );
    assert_eq!(
        err(rt.create_alias(&root(), "app", &key.key_id)).0,
        ErrorName::ValidationException
    );
    assert_eq!(
        err(rt.create_alias(&root(), "alias/aws/s3", &key.key_id)).0,
        ErrorName::InvalidAliasNameException
    );
    assert_eq!(
        err(rt.create_alias(&root(), "alias/bad name", &key.key_id)).0,
        ErrorName::ValidationException
    );
    assert_eq!(
        rt.list_aliases(&root(), Some(&key.arn), Paging::default())
            .unwrap()
            .items
            .len(),
        1
    );
    rt.delete_alias(&root(), "alias/app").unwrap();
    let (name, message) = err(rt.describe_key(&root(), "alias/app"));
    assert_eq!(
        (name, message.as_str()),
        (
            ErrorName::NotFoundException,
            "Alias 'arn:aws:kms:us-east-1:111122223333:alias/app' is not found."
        )
    );
}

#[test]
fn the_lockout_check_refuses_a_policy_the_caller_cannot_change() {
    // §5.7 vectors 13 and 14.
    let mut rt = runtime();
    let admin = "arn:aws:iam::111122223333:user/admin";
    identity_policy(
        &mut rt,
        admin,
        r#"{"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}"#,
    );
    let other_only = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/other"}, "Action": "kms:*", "Resource": "*"}]}"#;
    let (name, message) = err(rt.create_key(&user("admin"), None, Some(other_only), false));
    assert_eq!(
        (name, message.as_str()),
        (
            ErrorName::MalformedPolicyDocumentException,
            "The new key policy will not allow you to update the key policy in the future."
        )
    );
    let key = rt.create_key(&user("admin"), None, Some(other_only), true).unwrap();
    assert_eq!(
        err(rt.describe_key(&user("admin"), &key.key_id)).0,
        ErrorName::AccessDeniedException,
        "the caller has locked itself out"
    );
    assert!(rt.describe_key(&user("other"), &key.key_id).is_ok());
}

#[test]
fn key_policies_must_be_valid_small_and_in_the_character_set() {
    let mut rt = runtime();
    assert_eq!(
        err(rt.create_key(
            &root(),
            None,
            Some(r#"{"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}"#),
            false
        ))
        .0,
        ErrorName::MalformedPolicyDocumentException
    );
    let huge = format!(r#"{{"Id": "{}", "Statement": []}}"#, "x".repeat(40_000));
    assert_eq!(
        err(rt.create_key(&root(), None, Some(&huge), false)).0,
        ErrorName::LimitExceededException
    );
    let unicode = r#"{"Statement": [{"Sid": "✓", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}"#;
    assert_eq!(
        err(rt.create_key(&root(), None, Some(unicode), false)).0,
        ErrorName::MalformedPolicyDocumentException
    );
}

#[test]
fn grants_authorize_through_the_runtime() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    let grant = r#"{"GranteePrincipal": "arn:aws:iam::111122223333:user/app", "Operations": ["Encrypt"],
                    "Constraints": {"EncryptionContextSubset": {"dept": "eng"}}}"#;
    let Document::Grants(g) = Document::parse(&Source::new("g", grant), None).unwrap() else {
        panic!()
    };
    let issued = rt
        .grants
        .create(&key.arn, ACCOUNT, g.grants[0].node.clone(), rt.clock.now(), &mut || {
            random_hex()
        })
        .unwrap();
    assert!(rt
        .encrypt(&user("app"), &key.key_id, b"x", &ctx(&[("dept", "eng")]), &[])
        .is_ok());
    assert_eq!(
        err(rt.encrypt(&user("app"), &key.key_id, b"x", &ctx(&[("dept", "ops")]), &[])).0,
        ErrorName::AccessDeniedException
    );
    assert_eq!(
        err(rt.encrypt(&user("app"), &key.key_id, b"x", &BTreeMap::new(), &["unknown".into()])).0,
        ErrorName::InvalidGrantTokenException
    );
    assert!(rt
        .encrypt(
            &user("app"),
            &key.key_id,
            b"x",
            &ctx(&[("dept", "eng")]),
            &[issued.grant_token]
        )
        .is_ok());
}

fn random_hex() -> String {
    crate::crypto::random_bytes(32)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn rotation_keeps_old_ciphertext_decryptable() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    let before = rt.encrypt(&root(), &key.key_id, b"old", &BTreeMap::new(), &[]).unwrap();
    let rotated = rt.rotate_key_on_demand(&root(), &key.key_id).unwrap();
    assert_ne!(rotated.current_key_material_id, key.current_key_material_id);
    let after = rt.encrypt(&root(), &key.key_id, b"new", &BTreeMap::new(), &[]).unwrap();
    assert_ne!(before.key_material_id, after.key_material_id);
    let old = rt
        .decrypt(&root(), &before.ciphertext_blob, None, &BTreeMap::new(), &[])
        .unwrap();
    assert_eq!(
        (old.plaintext.as_slice(), old.key_material_id.as_str()),
        (&b"old"[..], before.key_material_id.as_str())
    );
    assert_eq!(rt.list_key_rotations(&root(), &key.key_id).unwrap().len(), 1);
}

#[test]
fn automatic_rotation_follows_the_clock() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    assert_eq!(err(rt.enable_key_rotation(&root(), &key.key_id, Some(89))).1, "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90");
    rt.enable_key_rotation(&root(), &key.key_id, Some(90)).unwrap();
    let status = rt.get_key_rotation_status(&root(), &key.key_id).unwrap();
    assert_eq!(
        (status.key_rotation_enabled, status.rotation_period_in_days),
        (true, Some(90))
    );
    rt.clock.advance(90 * 86_400 - 1);
    rt.sweep();
    assert!(rt.list_key_rotations(&root(), &key.key_id).unwrap().is_empty());
    rt.clock.advance(1);
    rt.sweep();
    let rotations = rt.list_key_rotations(&root(), &key.key_id).unwrap();
    assert_eq!(rotations.len(), 1);
    assert_eq!(rotations[0].2, Origin::Automatic);
    rt.disable_key_rotation(&root(), &key.key_id).unwrap();
    assert!(
        !rt.get_key_rotation_status(&root(), &key.key_id)
            .unwrap()
            .key_rotation_enabled
    );
}

#[test]
fn grant_operations_create_list_retire_and_revoke() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    let grant = |text: &str| {
        let Document::Grants(g) = Document::parse(&Source::new("g", text), None).unwrap() else {
            panic!()
        };
        g.grants[0].node.clone()
    };
    // §6.3: a symmetric key cannot carry a Sign grant.
    let sign = grant(r#"{"GranteePrincipal": "arn:aws:iam::111122223333:user/app", "Operations": ["Sign"]}"#);
    assert_eq!(
        err(rt.create_grant(&root(), &key.key_id, sign, &[])).0,
        ErrorName::ValidationException
    );
    let decrypt = grant(
        r#"{"GranteePrincipal": "arn:aws:iam::111122223333:user/app", "RetiringPrincipal": "arn:aws:iam::111122223333:user/ops",
                           "Operations": ["Encrypt", "Decrypt"], "Name": "app"}"#,
    );
    let issued = rt.create_grant(&root(), &key.key_id, decrypt.clone(), &[]).unwrap();
    // Idempotent by name: the same id, a new token.
    let again = rt.create_grant(&root(), &key.key_id, decrypt, &[]).unwrap();
    assert_eq!(again.grant_id, issued.grant_id);
    assert!(rt
        .encrypt(&user("app"), &key.key_id, b"x", &BTreeMap::new(), &[])
        .is_ok());
    let listed = rt
        .list_grants(&root(), &key.key_id, None, None, Paging::default())
        .unwrap()
        .items;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        rt.list_retirable_grants(&root(), "arn:aws:iam::111122223333:user/ops", Paging::default())
            .unwrap()
            .items
            .len(),
        1
    );
    // The grantee cannot retire it (no RetireGrant operation); the retiring principal can.
    assert_eq!(
        err(rt.retire_grant(&user("app"), Some(&issued.grant_token), None)).0,
        ErrorName::AccessDeniedException
    );
    rt.retire_grant(&user("ops"), None, Some((&key.key_id, &issued.grant_id)))
        .unwrap();
    assert_eq!(
        err(rt.encrypt(&user("app"), &key.key_id, b"x", &BTreeMap::new(), &[])).0,
        ErrorName::AccessDeniedException
    );
    // RevokeGrant goes through the key policy (the root user here).
    let other = grant(r#"{"GranteePrincipal": "arn:aws:iam::111122223333:user/app", "Operations": ["Encrypt"]}"#);
    let second = rt.create_grant(&root(), &key.key_id, other, &[]).unwrap();
    assert_eq!(
        err(rt.revoke_grant(&user("app"), &key.key_id, &second.grant_id)).0,
        ErrorName::AccessDeniedException
    );
    rt.revoke_grant(&root(), &key.key_id, &second.grant_id).unwrap();
    assert!(rt
        .list_grants(&root(), &key.key_id, None, None, Paging::default())
        .unwrap()
        .items
        .is_empty());
    // A disabled key takes no new grants.
    rt.disable_key(&root(), &key.key_id).unwrap();
    let third = grant(r#"{"GranteePrincipal": "arn:aws:iam::111122223333:user/app", "Operations": ["Encrypt"]}"#);
    assert_eq!(
        err(rt.create_grant(&root(), &key.key_id, third, &[])).0,
        ErrorName::DisabledException
    );
}

#[test]
fn every_call_is_audited_without_secrets() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    let sealed = rt
        .encrypt(&root(), &key.key_id, b"top secret", &ctx(&[("dept", "eng")]), &[])
        .unwrap();
    let _ = rt.encrypt(&user("mallory"), &key.key_id, b"x", &BTreeMap::new(), &[]);
    let _ = rt
        .decrypt(&root(), &sealed.ciphertext_blob, None, &ctx(&[("dept", "eng")]), &[])
        .unwrap();
    let _ = rt.generate_random(&root(), Some(5000));
    let all = rt.audit.list(&AuditFilter::default());
    let names: Vec<&str> = all.iter().map(|r| r.event_name.as_str()).collect();
    assert_eq!(names, ["CreateKey", "Encrypt", "Encrypt", "Decrypt", "GenerateRandom"]);
    let denied = rt.audit.list(&AuditFilter {
        succeeded: Some(false),
        ..AuditFilter::default()
    });
    assert_eq!(denied.len(), 2, "the refused Encrypt and the invalid GenerateRandom");
    assert_eq!(denied[0].error_code, Some("AccessDeniedException"));
    assert_eq!(denied[0].user_identity.arn, "arn:aws:iam::111122223333:user/mallory");
    let for_key = rt.audit.list(&AuditFilter {
        key: Some(key.arn.clone()),
        operation: Some("decrypt".into()),
        ..AuditFilter::default()
    });
    assert_eq!(for_key.len(), 1);
    assert_eq!(for_key[0].request_parameters["encryptionContext"]["dept"], "eng");
    // No plaintext, data key or ciphertext anywhere in the log.
    let text = serde_json::to_string(&all).unwrap();
    assert!(!text.contains("top secret"));
    let blob_hex: String = sealed.ciphertext_blob.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!text.contains(&blob_hex[40..80]));
    assert!(!text.to_lowercase().contains("plaintext"));
}

#[test]
fn re_encrypt_is_audited_against_both_keys() {
    let mut rt = runtime();
    let source = rt.create_key(&root(), None, None, false).unwrap();
    let destination = rt.create_key(&root(), None, None, false).unwrap();
    let sealed = rt
        .encrypt(&root(), &source.key_id, b"x", &BTreeMap::new(), &[])
        .unwrap();
    rt.re_encrypt(
        &root(),
        &sealed.ciphertext_blob,
        None,
        &BTreeMap::new(),
        &destination.key_id,
        &BTreeMap::new(),
        &[],
    )
    .unwrap();
    let record = rt.audit.list(&AuditFilter::default()).pop().unwrap();
    assert_eq!(record.event_name, "ReEncrypt");
    let arns: Vec<&str> = record.resources.iter().map(|r| r.arn.as_str()).collect();
    assert_eq!(arns, [source.arn.as_str(), destination.arn.as_str()]);
    for key in [&source.arn, &destination.arn] {
        let found = rt.audit.list(&AuditFilter {
            key: Some(key.clone()),
            operation: Some("ReEncrypt".into()),
            ..AuditFilter::default()
        });
        assert_eq!(found.len(), 1, "{key}");
    }
}

#[test]
fn a_refused_decrypt_is_audited_against_the_key_the_blob_names() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    let sealed = rt.encrypt(&root(), &key.key_id, b"x", &BTreeMap::new(), &[]).unwrap();
    let refused = rt.decrypt(&user("mallory"), &sealed.ciphertext_blob, None, &BTreeMap::new(), &[]);
    assert_eq!(err(refused).0, ErrorName::AccessDeniedException);
    let tries = rt.audit.list(&AuditFilter {
        key: Some(key.arn.clone()),
        succeeded: Some(false),
        ..AuditFilter::default()
    });
    assert_eq!(tries.len(), 1);
    assert_eq!(tries[0].user_identity.arn, "arn:aws:iam::111122223333:user/mallory");
    // Naming another key does not hide the attempt from the blob's key.
    let other = rt.create_key(&root(), None, None, false).unwrap();
    let named = rt.decrypt(
        &root(),
        &sealed.ciphertext_blob,
        Some(&other.key_id),
        &BTreeMap::new(),
        &[],
    );
    assert_eq!(err(named).0, ErrorName::IncorrectKeyException);
    let record = rt.audit.list(&AuditFilter::default()).pop().unwrap();
    let arns: Vec<&str> = record.resources.iter().map(|r| r.arn.as_str()).collect();
    assert_eq!(arns, [other.arn.as_str(), key.arn.as_str()]);
}

#[test]
fn every_api_call_has_its_own_request_id_and_service_events_have_none() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    rt.describe_key(&root(), &key.key_id).unwrap();
    let _ = rt.describe_key(&user("mallory"), &key.key_id);
    let records = rt.audit.list(&AuditFilter::default());
    let ids: Vec<&str> = records.iter().map(|r| r.request_id.as_deref().unwrap()).collect();
    assert_eq!(ids.len(), 3);
    assert!(
        ids.iter().all(|id| id.len() == 36 && id.as_bytes()[14] == b'4'),
        "{ids:?}"
    );
    assert!(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2]);
    let json = serde_json::to_value(&records[0]).unwrap();
    assert_eq!(json["requestID"], ids[0]);
    rt.schedule_key_deletion(&root(), &key.key_id, Some(7)).unwrap();
    rt.clock.advance(8 * 86_400);
    rt.sweep();
    let deleted = rt.audit.list(&AuditFilter::default()).pop().unwrap();
    assert_eq!(
        (deleted.event_name.as_str(), deleted.request_id.as_deref()),
        ("DeleteKey", None)
    );
}

#[test]
fn put_key_policy_checks_lockout_unless_bypassed() {
    // §13 seed 14.
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    assert!(rt
        .get_key_policy(&root(), &key.key_id, None)
        .unwrap()
        .contains("key-default-1"));
    assert_eq!(rt.list_key_policies(&root(), &key.key_id).unwrap(), ["default"]);
    let other_only = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/other"}, "Action": "kms:*", "Resource": "*"}]}"#;
    let (name, message) = err(rt.put_key_policy(&root(), &key.key_id, other_only, false));
    assert_eq!(
        (name, message.as_str()),
        (
            ErrorName::MalformedPolicyDocumentException,
            "The new key policy will not allow you to update the key policy in the future."
        )
    );
    rt.put_key_policy(&root(), &key.key_id, other_only, true).unwrap();
    assert_eq!(
        err(rt.get_key_policy(&root(), &key.key_id, None)).0,
        ErrorName::AccessDeniedException
    );
    assert!(rt
        .get_key_policy(&user("other"), &key.key_id, None)
        .unwrap()
        .contains("user/other"));
}

#[test]
fn for_all_values_on_an_encryption_context_key_is_refused() {
    // §7.1 and §13 seed 20.
    let mut rt = runtime();
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*",
        "Condition": {"ForAllValues:StringEquals": {"kms:EncryptionContext:dept": "eng"}}}]}"#;
    let (name, message) = err(rt.create_key(&root(), None, Some(policy), false));
    assert_eq!(name, ErrorName::MalformedPolicyDocumentException);
    assert!(
        message.starts_with("OverlyPermissiveCondition:EncryptionContext:"),
        "{message}"
    );
}

#[test]
fn tags_follow_the_tag_rules() {
    // §13 seed 13.
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    let tag = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    rt.tag_resource(&root(), &key.key_id, &[tag("project", "billing")])
        .unwrap();
    rt.tag_resource(&root(), &key.key_id, &[tag("project", "ledger")])
        .unwrap();
    assert_eq!(
        rt.list_resource_tags(&root(), &key.key_id)
            .unwrap()
            .get("project")
            .map(String::as_str),
        Some("ledger")
    );
    assert_eq!(
        err(rt.tag_resource(&root(), &key.key_id, &[tag("AWS:owner", "x")])).1,
        "Tags beginning with aws: are reserved"
    );
    assert_eq!(
        err(rt.tag_resource(&root(), &key.key_id, &[tag("a", "1"), tag("a", "2")])).1,
        "Duplicate tag keys"
    );
    let many: Vec<(String, String)> = (0..50).map(|i| tag(&format!("k{i}"), "v")).collect();
    assert_eq!(err(rt.tag_resource(&root(), &key.key_id, &many)).1, "Too many tags");
    rt.untag_resource(&root(), &key.key_id, &["absent".to_owned(), "project".to_owned()])
        .unwrap();
    assert!(rt.list_resource_tags(&root(), &key.key_id).unwrap().is_empty());
}

#[test]
fn update_alias_refuses_a_key_pending_deletion() {
    // §3.3 footnote 10.
    let mut rt = runtime();
    let a = rt.create_key(&root(), None, None, false).unwrap();
    let b = rt.create_key(&root(), None, None, false).unwrap();
    rt.create_alias(&root(), "alias/app", &a.key_id).unwrap();
    rt.update_alias(&root(), "alias/app", &b.key_id).unwrap();
    assert_eq!(rt.describe_key(&root(), "alias/app").unwrap().key_id, b.key_id);
    rt.schedule_key_deletion(&root(), &a.key_id, None).unwrap();
    assert_eq!(
        err(rt.update_alias(&root(), "alias/app", &a.key_id)).0,
        ErrorName::KMSInvalidStateException
    );
    assert_eq!(rt.list_keys(&root(), Paging::default()).unwrap().items.len(), 2);
    rt.update_key_description(&root(), &b.key_id, "ledger").unwrap();
    assert_eq!(rt.describe_key(&root(), &b.key_id).unwrap().description, "ledger");
}

#[test]
fn on_demand_rotation_has_a_limit_and_needs_an_enabled_key() {
    // §13 seed 21.
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    for _ in 0..25 {
        rt.rotate_key_on_demand(&root(), &key.key_id).unwrap();
    }
    let (name, message) = err(rt.rotate_key_on_demand(&root(), &key.key_id));
    assert_eq!(name, ErrorName::LimitExceededException);
    assert!(
        message.starts_with("The on-demand rotations limit has been reached"),
        "{message}"
    );
    let other = rt.create_key(&root(), None, None, false).unwrap();
    rt.disable_key(&root(), &other.key_id).unwrap();
    assert_eq!(
        err(rt.rotate_key_on_demand(&root(), &other.key_id)).0,
        ErrorName::DisabledException
    );
    assert_eq!(
        err(rt.enable_key_rotation(&root(), &key.key_id, Some(2561))).0,
        ErrorName::ValidationException
    );
    assert!(rt.enable_key_rotation(&root(), &key.key_id, Some(2560)).is_ok());
}

#[test]
fn a_grantee_cannot_retire_someone_elses_grant() {
    // §6.6: RetireGrant is per grant.
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    let grant = |who: &str| {
        let text = format!(
            r#"{{"GranteePrincipal": "arn:aws:iam::111122223333:user/{who}", "Operations": ["Decrypt", "RetireGrant"]}}"#
        );
        let Document::Grants(g) = Document::parse(&Source::new("g", text.as_str()), None).unwrap() else {
            panic!()
        };
        g.grants[0].node.clone()
    };
    rt.create_grant(&root(), &key.key_id, grant("alice"), &[]).unwrap();
    let bobs = rt.create_grant(&root(), &key.key_id, grant("bob"), &[]).unwrap();
    assert_eq!(
        err(rt.retire_grant(&user("alice"), None, Some((&key.key_id, &bobs.grant_id)))).0,
        ErrorName::AccessDeniedException
    );
    rt.retire_grant(&user("bob"), None, Some((&key.key_id, &bobs.grant_id)))
        .unwrap();
}

#[test]
fn a_blob_naming_an_unknown_key_is_refused_like_an_unusable_one() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    let blob = rt
        .encrypt(&root(), &key.key_id, b"x", &BTreeMap::new(), &[])
        .unwrap()
        .ciphertext_blob;
    let mut other = runtime();
    other.create_key(&root(), None, None, false).unwrap();
    assert_eq!(
        err(other.decrypt(&root(), &blob, None, &BTreeMap::new(), &[])).0,
        ErrorName::AccessDeniedException
    );
}

#[test]
fn put_key_policy_sees_the_policy_name() {
    let mut rt = runtime();
    let policy = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "kms:PutKeyPolicy", "Resource": "*", "Condition": {"StringNotEquals": {"kms:PolicyName": "default"}}}]}"#;
    let key = rt.create_key(&root(), None, Some(policy), false).unwrap();
    rt.put_key_policy(&root(), &key.key_id, policy, false).unwrap();
}

#[test]
fn deletion_and_automatic_rotation_are_audited_as_service_events() {
    let mut rt = runtime();
    let rotating = rt.create_key(&root(), None, None, false).unwrap();
    rt.enable_key_rotation(&root(), &rotating.key_id, Some(90)).unwrap();
    let doomed = rt.create_key(&root(), None, None, false).unwrap();
    rt.schedule_key_deletion(&root(), &doomed.key_id, Some(7)).unwrap();
    rt.clock.advance(90 * 86_400);
    rt.sweep();
    let events = rt.audit.list(&AuditFilter::default());
    let service: Vec<(&str, &str)> = events
        .iter()
        .filter(|e| e.event_type == "AwsServiceEvent")
        .map(|e| (e.event_name.as_str(), e.resources[0].arn.as_str()))
        .collect();
    assert_eq!(
        service,
        [("RotateKey", rotating.arn.as_str()), ("DeleteKey", doomed.arn.as_str())]
    );
}

#[test]
fn a_data_key_request_with_both_sizes_is_refused_and_audited() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    let refused = rt.generate_data_key(
        &root(),
        &key.key_id,
        Some("AES_256"),
        Some(32),
        &BTreeMap::new(),
        &[],
        true,
    );
    assert_eq!(err(refused).0, ErrorName::ValidationException);
    let audited = rt.audit.list(&AuditFilter {
        operation: Some("GenerateDataKey".into()),
        ..AuditFilter::default()
    });
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].error_code, Some("ValidationException"));
}

#[test]
fn alias_operations_need_the_identity_side_too() {
    // §5.6: CreateAlias is authorized on the key (key policy) and on the alias (IAM only).
    let mut rt = runtime();
    let policy = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/dev"}, "Action": "kms:CreateAlias", "Resource": "*"}]}"#;
    let key = rt.create_key(&root(), None, Some(policy), false).unwrap();
    assert_eq!(
        err(rt.create_alias(&user("dev"), "alias/dev", &key.key_id)).0,
        ErrorName::AccessDeniedException
    );
    identity_policy(
        &mut rt,
        "arn:aws:iam::111122223333:user/dev",
        r#"{"Statement": [{"Effect": "Allow", "Action": "kms:CreateAlias", "Resource": "arn:aws:kms:us-east-1:111122223333:alias/dev*"}]}"#,
    );
    assert!(rt.create_alias(&user("dev"), "alias/dev", &key.key_id).is_ok());
    assert_eq!(
        err(rt.create_alias(&user("dev"), "alias/prod", &key.key_id)).0,
        ErrorName::AccessDeniedException
    );
}

#[test]
fn keys_of_other_accounts_or_regions_are_not_found_here() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    let elsewhere = key.arn.replace("us-east-1", "eu-west-1");
    let (name, message) = err(rt.describe_key(&root(), &elsewhere));
    assert_eq!(
        (name, message),
        (
            ErrorName::NotFoundException,
            format!("Key '{elsewhere}' does not exist")
        )
    );
    let other_account = key.arn.replace("111122223333", "444455556666");
    assert_eq!(
        err(rt.describe_key(&root(), &other_account)).0,
        ErrorName::NotFoundException
    );
    let (_, message) = err(rt.describe_key(&root(), "1234abcd-0000-0000-0000-000000000000"));
    assert_eq!(
        message,
        "Key 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-0000-0000-0000-000000000000' does not exist"
    );
}

#[test]
fn list_operations_page_through_keys_aliases_and_grants() {
    let mut rt = runtime();
    let mut ids: Vec<String> = (0..5)
        .map(|_| rt.create_key(&root(), None, None, false).unwrap().key_id)
        .collect();
    ids.sort();
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    let mut calls = 0;
    loop {
        let paging = Paging {
            limit: Some(2),
            marker: marker.as_deref(),
        };
        let page = rt.list_keys(&root(), paging).unwrap();
        calls += 1;
        seen.extend(page.items.into_iter().map(|(id, _)| id));
        match page.next_marker {
            Some(next) => marker = Some(next),
            None => break,
        }
    }
    assert_eq!((seen, calls), (ids.clone(), 3));
    for (n, id) in ids.iter().enumerate() {
        // Named to sort before the predefined `alias/aws/…` ones.
        rt.create_alias(&root(), &format!("alias/a{n}"), id).unwrap();
    }
    let aliases = rt
        .list_aliases(
            &root(),
            None,
            Paging {
                limit: Some(3),
                marker: None,
            },
        )
        .unwrap();
    let names: Vec<&str> = aliases.items.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        (names, aliases.truncated()),
        (vec!["alias/a0", "alias/a1", "alias/a2"], true)
    );
    // The marker is checked before authorization, as model validation is.
    let forged = Paging {
        limit: None,
        marker: Some("kw0:x"),
    };
    assert_eq!(
        err(rt.list_grants(&user("mallory"), &ids[0], None, None, forged)).0,
        ErrorName::InvalidMarkerException
    );
    let zero = Paging {
        limit: Some(0),
        marker: None,
    };
    assert_eq!(err(rt.list_keys(&root(), zero)).0, ErrorName::ValidationException);
}

#[test]
fn an_oversized_context_or_too_many_grant_tokens_are_refused_before_any_key_is_used() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    let big = ctx(&[("k", &"v".repeat(MAX_ENCRYPTION_CONTEXT_BYTES))]);
    let (name, message) = err(rt.encrypt(&root(), &key.key_id, b"x", &big, &[]));
    assert_eq!(name, ErrorName::ValidationException);
    assert!(message.contains("'encryptionContext'"), "{message}");
    // Exactly at the limit is fine.
    let full = ctx(&[("k", &"v".repeat(MAX_ENCRYPTION_CONTEXT_BYTES - 1))]);
    let sealed = rt.encrypt(&root(), &key.key_id, b"x", &full, &[]).unwrap();
    assert!(rt.decrypt(&root(), &sealed.ciphertext_blob, None, &full, &[]).is_ok());
    let (name, message) = err(rt.re_encrypt(&root(), &sealed.ciphertext_blob, None, &full, &key.key_id, &big, &[]));
    assert_eq!(name, ErrorName::ValidationException);
    assert!(message.contains("'destinationEncryptionContext'"), "{message}");
    let tokens = vec!["t".to_owned(); 11];
    let (name, message) = err(rt.generate_data_key(
        &root(),
        &key.key_id,
        Some("AES_256"),
        None,
        &BTreeMap::new(),
        &tokens,
        true,
    ));
    assert_eq!(name, ErrorName::ValidationException);
    assert!(message.contains("'grantTokens'"), "{message}");
    // Checked before the key is looked up: an unknown key makes no difference.
    assert_eq!(
        err(rt.encrypt(&root(), "alias/none", b"x", &big, &[])).0,
        ErrorName::ValidationException
    );
    // The refused context is not copied into the audit log.
    let log = serde_json::to_string(&rt.audit.list(&AuditFilter::default())).unwrap();
    assert!(!log.contains(&"v".repeat(MAX_ENCRYPTION_CONTEXT_BYTES)));
    assert!(log.contains("over the limit"));
}

#[test]
fn grants_page_in_grant_id_order_and_markers_stay_with_their_operation() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    let text = r#"{"GranteePrincipal": "arn:aws:iam::111122223333:user/app", "RetiringPrincipal": "arn:aws:iam::111122223333:user/ops", "Operations": ["Decrypt"]}"#;
    let mut ids: Vec<String> = (0..5)
        .map(|_| {
            let Document::Grants(g) = Document::parse(&Source::new("g", text), None).unwrap() else {
                panic!()
            };
            rt.create_grant(&root(), &key.key_id, g.grants[0].node.clone(), &[])
                .unwrap()
                .grant_id
        })
        .collect();
    ids.sort();
    let id_of = |g: &Grant| g.grant_id.as_ref().unwrap().node.clone();
    let (mut listed, mut retirable) = (Vec::new(), Vec::new());
    let (mut marker, mut retirable_marker): (Option<String>, Option<String>) = (None, None);
    loop {
        let page = rt
            .list_grants(
                &root(),
                &key.key_id,
                None,
                None,
                Paging {
                    limit: Some(2),
                    marker: marker.as_deref(),
                },
            )
            .unwrap();
        listed.extend(page.items.iter().map(id_of));
        let other = rt
            .list_retirable_grants(
                &root(),
                "arn:aws:iam::111122223333:user/ops",
                Paging {
                    limit: Some(2),
                    marker: retirable_marker.as_deref(),
                },
            )
            .unwrap();
        retirable.extend(other.items.iter().map(id_of));
        retirable_marker = other.next_marker;
        match page.next_marker {
            Some(next) => marker = Some(next),
            None => break,
        }
    }
    assert_eq!(listed, ids);
    assert_eq!(retirable, ids);
    // A ListGrants marker means nothing to ListRetirableGrants.
    let first = rt
        .list_grants(
            &root(),
            &key.key_id,
            None,
            None,
            Paging {
                limit: Some(1),
                marker: None,
            },
        )
        .unwrap();
    let foreign = Paging {
        limit: None,
        marker: first.next_marker.as_deref(),
    };
    assert_eq!(
        err(rt.list_retirable_grants(&root(), "arn:aws:iam::111122223333:user/ops", foreign)).0,
        ErrorName::InvalidMarkerException
    );
}

mod aws_managed;
