//! A child grant created through a parent grant never allows a request the
//! parent would not allow (reference §6.5).

use std::collections::BTreeMap;

use keyward::eval::Caller;
use keyward::kms::{check_grant, grant_within, KmsRequest};
use keyward::policy::{Document, Grant, Grants};
use keyward::Source;
use proptest::prelude::*;

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const GRANTEE: &str = "arn:aws:iam::111122223333:role/app";
const OPERATIONS: [&str; 6] = [
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "ReEncryptFrom",
    "DescribeKey",
    "RetireGrant",
];
const KEYS: [&str; 3] = ["dept", "env", "Dept"];
const VALUES: [&str; 3] = ["IT", "it", "prod"];

fn pairs() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map(
        prop::sample::select(&KEYS[..]).prop_map(str::to_owned),
        prop::sample::select(&VALUES[..]).prop_map(str::to_owned),
        0..3,
    )
}

/// `None`, `Subset`, `Equals`, or both, as JSON.
fn constraints() -> impl Strategy<Value = Option<serde_json::Value>> {
    (0..4u8, pairs(), pairs()).prop_map(|(kind, a, b)| match kind {
        0 => None,
        1 => Some(serde_json::json!({"EncryptionContextSubset": a})),
        2 => Some(serde_json::json!({"EncryptionContextEquals": a})),
        _ => Some(serde_json::json!({"EncryptionContextSubset": a, "EncryptionContextEquals": b})),
    })
}

fn grant_json() -> impl Strategy<Value = serde_json::Value> {
    (
        prop::sample::subsequence(&OPERATIONS[..], 1..=OPERATIONS.len()),
        constraints(),
    )
        .prop_map(|(ops, constraints)| {
            let mut grant = serde_json::json!({"GranteePrincipal": GRANTEE, "Operations": ops});
            if let Some(c) = constraints {
                grant["Constraints"] = c;
            }
            grant
        })
}

/// A child made from the parent the ways §6.5 allows: fewer operations,
/// more `Subset` pairs, or `Subset` turned into `Equals`.
fn narrowed(
    parent: &serde_json::Value,
    keep: &[bool],
    extra: &BTreeMap<String, String>,
    to_equals: bool,
) -> serde_json::Value {
    let mut child = parent.clone();
    let ops: Vec<serde_json::Value> = parent["Operations"]
        .as_array()
        .map(|ops| {
            ops.iter()
                .zip(keep)
                .filter(|(_, k)| **k)
                .map(|(op, _)| op.clone())
                .collect()
        })
        .unwrap_or_default();
    child["Operations"] = if ops.is_empty() {
        parent["Operations"].clone()
    } else {
        serde_json::Value::Array(ops)
    };
    let constraints = &parent["Constraints"];
    if let Some(subset) = constraints["EncryptionContextSubset"].as_object() {
        let mut grown = subset.clone();
        for (k, v) in extra {
            if !grown.keys().any(|g| g.eq_ignore_ascii_case(k)) {
                grown.insert(k.clone(), serde_json::Value::String(v.clone()));
            }
        }
        let member = if to_equals && constraints.get("EncryptionContextEquals").is_none() {
            "EncryptionContextEquals"
        } else {
            "EncryptionContextSubset"
        };
        let mut narrowed = constraints.clone();
        if let Some(c) = narrowed.as_object_mut() {
            c.remove("EncryptionContextSubset");
            c.insert(member.to_owned(), serde_json::Value::Object(grown));
        }
        child["Constraints"] = narrowed;
    }
    child
}

fn parse(value: &serde_json::Value) -> Grant {
    let text = value.to_string();
    match Document::parse(&Source::new("grant", text.as_str()), None) {
        Ok(Document::Grants(Grants { mut grants, .. })) => grants.remove(0).node,
        other => panic!("{text}: {other:?}"),
    }
}

fn request(operation: &str, context: BTreeMap<String, String>) -> KmsRequest {
    let caller = Caller::parse("arn:aws:sts::111122223333:assumed-role/app/s").expect("caller");
    let mut request = KmsRequest::new(caller, format!("kms:{operation}"), KEY);
    request.encryption_context = context;
    request
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/proptest-regressions/grant_properties.txt"
        )))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_child_grant_never_allows_more_than_its_parent(
        parent in grant_json(),
        keep in prop::collection::vec(any::<bool>(), OPERATIONS.len()),
        extra in pairs(),
        to_equals in any::<bool>(),
        requests in prop::collection::vec((prop::sample::select(&OPERATIONS[..]), pairs()), 1..16),
    ) {
        let child = narrowed(&parent, &keep, &extra, to_equals);
        let (parent, child) = (parse(&parent), parse(&child));
        prop_assume!(grant_within(&parent, &child).is_ok());
        for (operation, context) in requests {
            let request = request(operation, context);
            if check_grant(&child, &request).is_ok() {
                prop_assert!(
                    check_grant(&parent, &request).is_ok(),
                    "the child allows {} with {:?}, the parent does not", request.action, request.encryption_context
                );
            }
        }
    }
}
