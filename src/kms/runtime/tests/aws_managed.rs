//! AWS managed keys (created on first use of `alias/aws/<service>`, used only
//! through the service, changed by no one) and AWS owned keys (never seen in
//! the account).

use super::*;

const S3: &str = "s3.us-east-1.amazonaws.com";
const DAY: i64 = 86_400;

fn alice() -> Caller {
    user("alice")
}

/// alice may use every KMS action on every key, as far as IAM goes.
fn alice_with_full_iam(rt: &mut Runtime<SimulatedClock>) {
    identity_policy(
        rt,
        "arn:aws:iam::111122223333:user/alice",
        r#"{"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}"#,
    );
}

fn grant(text: &str) -> crate::policy::Grant {
    let Document::Grants(g) = Document::parse(&Source::new("g", text), None).unwrap() else {
        panic!("not a grant")
    };
    g.grants[0].node.clone()
}

#[test]
fn naming_an_aws_alias_creates_the_aws_managed_key_once() {
    let mut rt = runtime();
    let first = rt.describe_key(&root(), "alias/aws/s3").unwrap();
    assert_eq!(first.key_manager, "AWS");
    let again = rt.describe_key(&root(), "alias/aws/s3").unwrap();
    assert_eq!(again.key_id, first.key_id);
    let by_arn = rt
        .describe_key(&root(), "arn:aws:kms:us-east-1:111122223333:alias/aws/s3")
        .unwrap();
    assert_eq!(by_arn.key_id, first.key_id);

    let keys = rt.list_keys(&root(), Paging::default()).unwrap().items;
    assert_eq!(keys, vec![(first.key_id.clone(), first.arn.clone())]);
    let mut aliases = rt.list_aliases(&root(), None, Paging::default()).unwrap().items;
    // Less the predefined aliases whose keys do not exist yet.
    aliases.retain(|a| !a.target_key_id.is_empty());
    assert_eq!(aliases.len(), 1);
    assert_eq!(
        (aliases[0].name.as_str(), aliases[0].target_key_id.as_str()),
        ("alias/aws/s3", first.key_id.as_str())
    );

    // KMS made the key itself: one service event, then the two calls.
    let created: Vec<_> = rt
        .audit
        .drain()
        .into_iter()
        .filter(|r| r.event_name == "CreateKey")
        .collect();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].event_type, "AwsServiceEvent");
    assert_eq!(created[0].resources[0].arn, first.arn);
}

#[test]
fn an_aws_alias_of_no_known_service_is_not_found() {
    let mut rt = runtime();
    assert_eq!(
        err(rt.describe_key(&root(), "alias/aws/not-a-service")).0,
        ErrorName::NotFoundException
    );
    // An alias ARN of another account names a key that is not here, and a
    // caller from another account makes no key here.
    assert_eq!(
        err(rt.describe_key(&root(), "arn:aws:kms:us-east-1:444455556666:alias/aws/s3")).0,
        ErrorName::NotFoundException
    );
    let outsider = Caller::parse("arn:aws:iam::444455556666:root").unwrap().via(S3);
    assert_eq!(
        err(rt.encrypt(
            &outsider,
            "arn:aws:kms:us-east-1:111122223333:alias/aws/s3",
            b"x",
            &ctx(&[]),
            &[]
        ))
        .0,
        ErrorName::NotFoundException
    );
    assert!(rt.list_keys(&root(), Paging::default()).unwrap().items.is_empty());
}

#[test]
fn an_aws_managed_key_is_usable_only_through_its_service() {
    let mut rt = runtime();
    alice_with_full_iam(&mut rt);
    // Directly, even full IAM rights do not reach it: its policy does not
    // delegate to IAM and asks for kms:ViaService.
    let (name, _) = err(rt.encrypt(&alice(), "alias/aws/s3", b"x", &ctx(&[]), &[]));
    assert_eq!(name, ErrorName::AccessDeniedException);

    let through_s3 = alice().via(S3);
    let sealed = rt
        .encrypt(&through_s3, "alias/aws/s3", b"object", &ctx(&[("bucket", "b")]), &[])
        .unwrap();
    let opened = rt
        .decrypt(
            &through_s3,
            &sealed.ciphertext_blob,
            None,
            &ctx(&[("bucket", "b")]),
            &[],
        )
        .unwrap();
    assert_eq!(opened.plaintext.as_slice(), b"object");
    // The audit says which service made the call.
    let last = rt.audit.drain().pop().unwrap();
    assert_eq!(
        (last.event_name.as_str(), last.user_identity.invoked_by.as_deref()),
        ("Decrypt", Some("s3.amazonaws.com"))
    );
    let data_key = rt
        .generate_data_key(&through_s3, "alias/aws/s3", Some("AES_256"), None, &ctx(&[]), &[], true)
        .unwrap();
    assert_eq!(data_key.plaintext.map(|p| p.len()), Some(32));

    // Not directly, not through another service, not from another account.
    for caller in [
        alice(),
        alice().via("sqs.us-east-1.amazonaws.com"),
        alice().via("s3.eu-west-1.amazonaws.com"),
        Caller::parse("arn:aws:iam::444455556666:root").unwrap().via(S3),
    ] {
        let (name, _) = err(rt.decrypt(&caller, &sealed.ciphertext_blob, None, &ctx(&[("bucket", "b")]), &[]));
        assert_eq!(name, ErrorName::AccessDeniedException, "{caller:?}");
    }
}

#[test]
fn no_principal_may_change_an_aws_managed_key() {
    let mut rt = runtime();
    alice_with_full_iam(&mut rt);
    let key = rt.describe_key(&root(), "alias/aws/s3").unwrap();
    let own = rt.create_key(&root(), None, None, false).unwrap();
    for caller in [root(), alice(), alice().via(S3)] {
        let denied = |result: Result<(), KmsError>, what: &str| {
            assert_eq!(
                result.expect_err(what).name,
                ErrorName::AccessDeniedException,
                "{what} by {caller:?}"
            );
        };
        denied(
            rt.put_key_policy(&caller, &key.key_id, &rt.default_key_policy(), true)
                .map(drop),
            "PutKeyPolicy",
        );
        denied(rt.disable_key(&caller, &key.key_id).map(drop), "DisableKey");
        denied(
            rt.schedule_key_deletion(&caller, &key.key_id, Some(7)).map(drop),
            "ScheduleKeyDeletion",
        );
        denied(
            rt.update_key_description(&caller, &key.key_id, "mine").map(drop),
            "UpdateKeyDescription",
        );
        denied(
            rt.tag_resource(&caller, &key.key_id, &[("team".into(), "x".into())]),
            "TagResource",
        );
        denied(
            rt.enable_key_rotation(&caller, &key.key_id, Some(90)).map(drop),
            "EnableKeyRotation",
        );
        denied(rt.disable_key_rotation(&caller, &key.key_id), "DisableKeyRotation");
        denied(
            rt.rotate_key_on_demand(&caller, &key.key_id).map(drop),
            "RotateKeyOnDemand",
        );
        denied(
            rt.create_alias(&caller, "alias/mine", &key.key_id).map(drop),
            "CreateAlias",
        );
        denied(rt.delete_alias(&caller, "alias/aws/s3"), "DeleteAlias");
    }
    // alias/aws/ names are AWS's: a customer can neither make one nor point
    // one at another key.
    assert_eq!(
        err(rt.create_alias(&root(), "alias/aws/mine", &own.key_id)).0,
        ErrorName::InvalidAliasNameException
    );
    assert_eq!(
        err(rt.update_alias(&root(), "alias/aws/s3", &own.key_id)).0,
        ErrorName::InvalidAliasNameException
    );
    // Nothing changed.
    let after = rt.describe_key(&root(), "alias/aws/s3").unwrap();
    assert_eq!((after.state, after.description), (KeyState::Enabled, key.description));
}

#[test]
fn the_account_reads_an_aws_managed_key_but_iam_cannot_widen_it() {
    let mut rt = runtime();
    alice_with_full_iam(&mut rt);
    let key = rt.describe_key(&root(), "alias/aws/s3").unwrap();
    // The metadata statement names the account, so IAM delegation works for reads.
    assert!(rt.describe_key(&alice(), &key.key_id).is_ok());
    let policy = rt.get_key_policy(&alice(), &key.key_id, None).unwrap();
    assert!(
        policy.contains("\"kms:ViaService\" : \"s3.us-east-1.amazonaws.com\""),
        "{policy}"
    );
    assert!(policy.contains("\"kms:CallerAccount\" : \"111122223333\""), "{policy}");
    let status = rt.get_key_rotation_status(&alice(), &key.key_id).unwrap();
    assert_eq!(
        (status.key_rotation_enabled, status.rotation_period_in_days),
        (true, Some(365))
    );
    assert!(rt
        .list_grants(&alice(), &key.key_id, None, None, Paging::default())
        .is_ok());
}

#[test]
fn aws_managed_keys_rotate_every_year_and_old_ciphertext_still_decrypts() {
    let mut rt = runtime();
    let through_s3 = root().via(S3);
    let sealed = rt.encrypt(&through_s3, "alias/aws/s3", b"old", &ctx(&[]), &[]).unwrap();
    rt.clock.advance(364 * DAY);
    rt.sweep();
    assert!(rt.list_key_rotations(&root(), "alias/aws/s3").unwrap().is_empty());
    rt.clock.advance(DAY);
    rt.sweep();
    let rotations = rt.list_key_rotations(&root(), "alias/aws/s3").unwrap();
    assert_eq!(rotations.len(), 1);
    assert_eq!(rotations[0].2, Origin::Automatic);
    let fresh = rt.encrypt(&through_s3, "alias/aws/s3", b"new", &ctx(&[]), &[]).unwrap();
    assert_ne!(fresh.key_material_id, sealed.key_material_id);
    let opened = rt
        .decrypt(&through_s3, &sealed.ciphertext_blob, None, &ctx(&[]), &[])
        .unwrap();
    assert_eq!(opened.plaintext.as_slice(), b"old");
}

#[test]
fn services_that_use_grants_may_create_them_through_the_service_only() {
    let mut rt = runtime();
    let volume_grant =
        || grant(r#"{"GranteePrincipal": "arn:aws:iam::111122223333:role/ec2-worker", "Operations": ["Decrypt"]}"#);
    let ebs = rt.describe_key(&root(), "alias/aws/ebs").unwrap();
    let through_ec2 = alice().via("ec2.us-east-1.amazonaws.com");
    assert!(rt.create_grant(&through_ec2, &ebs.key_id, volume_grant(), &[]).is_ok());
    assert_eq!(
        err(rt.create_grant(&alice(), &ebs.key_id, volume_grant(), &[])).0,
        ErrorName::AccessDeniedException
    );
    // S3's key policy allows no grants, even through S3.
    let s3 = rt.describe_key(&root(), "alias/aws/s3").unwrap();
    assert_eq!(
        err(rt.create_grant(&alice().via(S3), &s3.key_id, volume_grant(), &[])).0,
        ErrorName::AccessDeniedException
    );
}

#[test]
fn aws_owned_keys_are_never_listed_described_or_audited() {
    let mut rt = runtime();
    let blob = rt
        .aws_owned_encrypt("dynamodb", b"table item", &ctx(&[("table", "t")]))
        .unwrap();
    assert!(rt.list_keys(&root(), Paging::default()).unwrap().items.is_empty());
    assert!(rt
        .list_aliases(&root(), None, Paging::default())
        .unwrap()
        .items
        .iter()
        .all(|a| a.target_key_id.is_empty()));
    let owned_id = crate::crypto::peek(&blob).unwrap().key_id;
    assert_eq!(err(rt.describe_key(&root(), &owned_id)).0, ErrorName::NotFoundException);
    // The account's own Decrypt cannot find the key, and its record names no key.
    assert_eq!(
        err(rt.decrypt(&root(), &blob, None, &ctx(&[("table", "t")]), &[])).0,
        ErrorName::AccessDeniedException
    );
    let records = rt.audit.drain();
    assert_eq!(
        records.iter().map(|r| r.event_name.as_str()).collect::<Vec<_>>(),
        ["ListKeys", "ListAliases", "DescribeKey", "Decrypt"]
    );
    assert!(records.iter().all(|r| r.resources.is_empty()), "{records:?}");

    // The service opens its own blob, with the same context only.
    let opened = rt
        .aws_owned_decrypt("dynamodb", &blob, &ctx(&[("table", "t")]))
        .unwrap();
    assert_eq!(opened.as_slice(), b"table item");
    for (service, context) in [("dynamodb", ctx(&[("table", "u")])), ("s3", ctx(&[("table", "t")]))] {
        assert_eq!(
            err(rt.aws_owned_decrypt(service, &blob, &context)).0,
            ErrorName::InvalidCiphertextException
        );
    }
    assert_eq!(
        err(rt.aws_owned_encrypt("nosuch", b"x", &ctx(&[]))).0,
        ErrorName::ValidationException
    );
    assert!(rt.audit.drain().is_empty());
}

#[test]
fn managed_and_owned_keys_survive_export_and_restore() {
    let mut rt = runtime();
    let through_s3 = root().via(S3);
    let sealed = rt
        .encrypt(&through_s3, "alias/aws/s3", b"kept", &ctx(&[]), &[])
        .unwrap();
    let owned = rt.aws_owned_encrypt("sqs", b"message", &ctx(&[])).unwrap();

    let mut restored = runtime();
    restored.restore(rt.export()).unwrap();
    assert_eq!(
        restored.describe_key(&root(), "alias/aws/s3").unwrap().key_manager,
        "AWS"
    );
    assert_eq!(restored.list_keys(&root(), Paging::default()).unwrap().items.len(), 1);
    assert_eq!(
        restored
            .decrypt(&through_s3, &sealed.ciphertext_blob, None, &ctx(&[]), &[])
            .unwrap()
            .plaintext
            .as_slice(),
        b"kept"
    );
    assert_eq!(
        restored.aws_owned_decrypt("sqs", &owned, &ctx(&[])).unwrap().as_slice(),
        b"message"
    );
}

#[test]
fn rcps_do_not_apply_to_an_aws_managed_key_but_do_to_a_customer_managed_one() {
    // [ORG] orgs_manage_policies_rcps.html#actions-not-restricted-by-rcps;
    // [KMS] resource-control-policies.html.
    let mut rt = runtime();
    alice_with_full_iam(&mut rt);
    let deny_all = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}"#;
    let Document::Policy(p) = Document::parse(&Source::new("rcp", deny_all), Some(DocumentKind::Policy)).unwrap()
    else {
        panic!("a policy")
    };
    let customer = rt.create_key(&root(), None, None, false).unwrap();
    rt.identities
        .rcps
        .push((ACCOUNT.to_owned(), CompiledPolicy::compile("rcp", &p).unwrap()));
    let through_s3 = alice().via(S3);
    rt.encrypt(&through_s3, "alias/aws/s3", b"object", &ctx(&[]), &[])
        .expect("RCPs do not apply to an AWS managed key");
    let (name, _) = err(rt.encrypt(&alice(), &customer.key_id, b"x", &ctx(&[]), &[]));
    assert_eq!(name, ErrorName::AccessDeniedException);
}
