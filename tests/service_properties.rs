//! The same random sequence of calls through `kms::Service`, once over the
//! SQLite store and once over the memory store, gives the same answers and
//! ends in the same state; and a new service opened on the SQLite state
//! sees exactly what the live one does.

use std::collections::HashMap;
use std::sync::Arc;

use keyward::eval::Caller;
use keyward::kms::op::Json;
use keyward::kms::runtime::{Clock, SimulatedClock};
use keyward::kms::{Authorizer, Service, Store};
use keyward::store::{MemoryStore, Options, SqliteStore};
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::proptest_config::config;

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";

/// One step: an operation on the i-th key (or alias, grant) made so far.
#[derive(Clone, Debug)]
enum Step {
    CreateKey,
    CreateAlias(u8, u8),
    DeleteAlias(u8),
    UpdateAlias(u8, u8),
    Disable(u8),
    Enable(u8),
    Schedule(u8),
    Cancel(u8),
    Tag(u8, u8),
    Untag(u8, u8),
    Rotate(u8),
    CreateGrant(u8),
    RevokeGrant(u8),
    Encrypt(u8),
    DecryptLast,
    Advance(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => Just(Step::CreateKey),
        1 => (0..4u8, 0..6u8).prop_map(|(a, k)| Step::CreateAlias(a, k)),
        1 => (0..4u8).prop_map(Step::DeleteAlias),
        1 => (0..4u8, 0..6u8).prop_map(|(a, k)| Step::UpdateAlias(a, k)),
        1 => (0..6u8).prop_map(Step::Disable),
        1 => (0..6u8).prop_map(Step::Enable),
        1 => (0..6u8).prop_map(Step::Schedule),
        1 => (0..6u8).prop_map(Step::Cancel),
        1 => (0..6u8, 0..3u8).prop_map(|(k, t)| Step::Tag(k, t)),
        1 => (0..6u8, 0..3u8).prop_map(|(k, t)| Step::Untag(k, t)),
        1 => (0..6u8).prop_map(Step::Rotate),
        1 => (0..6u8).prop_map(Step::CreateGrant),
        1 => (0..6u8).prop_map(Step::RevokeGrant),
        2 => (0..6u8).prop_map(Step::Encrypt),
        1 => Just(Step::DecryptLast),
        1 => (0..40u8).prop_map(Step::Advance),
    ]
}

/// A service and what the sequence made on it so far.
struct Run {
    kms: Service<Arc<SimulatedClock>>,
    clock: Arc<SimulatedClock>,
    keys: Vec<String>,
    grants: Vec<(String, String)>,
    last_blob: Option<Value>,
}

fn root() -> Caller {
    Caller::parse(&format!("arn:aws:iam::{ACCOUNT}:root")).expect("root")
}

impl Run {
    fn new(store: impl Store + 'static) -> Run {
        let clock = Arc::new(SimulatedClock::at(1_795_867_200));
        let kms = Service::open(Box::new(store), Authorizer::default(), Arc::clone(&clock), ACCOUNT).expect("service");
        Run {
            kms,
            clock,
            keys: Vec::new(),
            grants: Vec::new(),
            last_blob: None,
        }
    }

    fn call(&self, operation: &str, request: Value) -> Result<Value, String> {
        self.kms
            .call(
                &root(),
                REGION,
                &Json {
                    operation,
                    request: &request,
                },
            )
            .map_err(|e| e.name.as_str().to_owned())
    }

    fn key(&self, i: u8) -> Value {
        match self.keys.len() {
            0 => json!("1234abcd-12ab-34cd-56ef-1234567890ab"),
            n => json!(self.keys[usize::from(i) % n]),
        }
    }

    /// Runs a step; the answer with what differs between two runs (ids,
    /// tokens, blobs) named by order of appearance instead.
    fn step(&mut self, step: &Step) -> Result<Value, String> {
        let alias = |a: u8| format!("alias/a{a}");
        let tag = |t: u8| format!("t{t}");
        match step {
            Step::CreateKey => {
                let made = self.call("CreateKey", json!({}))?;
                self.keys
                    .push(made["KeyMetadata"]["KeyId"].as_str().unwrap_or_default().to_owned());
                Ok(made)
            }
            Step::CreateAlias(a, k) => self.call(
                "CreateAlias",
                json!({"AliasName": alias(*a), "TargetKeyId": self.key(*k)}),
            ),
            Step::DeleteAlias(a) => self.call("DeleteAlias", json!({"AliasName": alias(*a)})),
            Step::UpdateAlias(a, k) => self.call(
                "UpdateAlias",
                json!({"AliasName": alias(*a), "TargetKeyId": self.key(*k)}),
            ),
            Step::Disable(k) => self.call("DisableKey", json!({"KeyId": self.key(*k)})),
            Step::Enable(k) => self.call("EnableKey", json!({"KeyId": self.key(*k)})),
            Step::Schedule(k) => self.call(
                "ScheduleKeyDeletion",
                json!({"KeyId": self.key(*k), "PendingWindowInDays": 7}),
            ),
            Step::Cancel(k) => self.call("CancelKeyDeletion", json!({"KeyId": self.key(*k)})),
            Step::Tag(k, t) => self.call(
                "TagResource",
                json!({"KeyId": self.key(*k), "Tags": [{"TagKey": tag(*t), "TagValue": "v"}]}),
            ),
            Step::Untag(k, t) => self.call("UntagResource", json!({"KeyId": self.key(*k), "TagKeys": [tag(*t)]})),
            Step::Rotate(k) => self.call("RotateKeyOnDemand", json!({"KeyId": self.key(*k)})),
            Step::CreateGrant(k) => {
                let key = self.key(*k);
                let made = self.call(
                    "CreateGrant",
                    json!({"KeyId": key, "GranteePrincipal": format!("arn:aws:iam::{ACCOUNT}:user/u"), "Operations": ["Decrypt"]}),
                )?;
                self.grants.push((
                    key.as_str().unwrap_or_default().to_owned(),
                    made["GrantId"].as_str().unwrap_or_default().to_owned(),
                ));
                Ok(made)
            }
            Step::RevokeGrant(g) => match self.grants.len() {
                0 => Ok(json!("no grant yet")),
                n => {
                    let (key, grant) = self.grants[usize::from(*g) % n].clone();
                    self.call("RevokeGrant", json!({"KeyId": key, "GrantId": grant}))
                }
            },
            Step::Encrypt(k) => {
                let sealed = self.call("Encrypt", json!({"KeyId": self.key(*k), "Plaintext": "aGk="}))?;
                self.last_blob = Some(sealed["CiphertextBlob"].clone());
                Ok(json!({"KeyId": sealed["KeyId"]}))
            }
            Step::DecryptLast => match &self.last_blob {
                None => Ok(json!("no blob yet")),
                Some(blob) => self.call("Decrypt", json!({"CiphertextBlob": blob})),
            },
            Step::Advance(days) => {
                self.clock.advance(i64::from(*days) * 86_400);
                Ok(json!("advanced"))
            }
        }
    }

    /// Everything account A can see of its keys.
    fn observe(&self) -> Vec<Result<Value, String>> {
        let mut seen = vec![self.call("ListKeys", json!({})), self.call("ListAliases", json!({}))];
        for key in &self.keys {
            for operation in [
                "DescribeKey",
                "ListGrants",
                "ListResourceTags",
                "ListKeyRotations",
                "GetKeyRotationStatus",
            ] {
                seen.push(self.call(operation, json!({"KeyId": key})));
            }
        }
        seen
    }
}

/// Replaces what is random in a run (key ids, grant ids and tokens, material
/// ids) by its order of first appearance, the keys and grants first in the
/// order they were made; and puts lists AWS orders by id (`Keys`, `Grants`) in one order,
/// so two runs compare.
fn normalized(values: &[Result<Value, String>], run: &Run) -> String {
    let text = serde_json::to_string(values).unwrap_or_default();
    let random = regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{64}")
        .expect("pattern");
    let made = run.keys.iter().chain(run.grants.iter().map(|(_, grant)| grant));
    let mut names: HashMap<String, usize> = made.enumerate().map(|(i, id)| (id.clone(), i)).collect();
    let renamed = random.replace_all(&text, |m: &regex::Captures<'_>| {
        let next = names.len();
        format!("<{}>", names.entry(m[0].to_owned()).or_insert(next))
    });
    let mut value: Value = serde_json::from_str(&renamed).unwrap_or_default();
    sort_id_lists(&mut value);
    value.to_string()
}

fn sort_id_lists(value: &mut Value) {
    match value {
        Value::Object(fields) => {
            for (name, field) in fields.iter_mut() {
                sort_id_lists(field);
                if let (Value::Array(items), "Keys" | "Grants") = (field, name.as_str()) {
                    items.sort_by_key(Value::to_string);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(sort_id_lists),
        _ => {}
    }
}

proptest! {
    #![proptest_config(proptest::test_runner::Config { cases: 24, ..config(regressions!("sqlite_and_memory_stores_answer_alike")) })]

    #[test]
    fn sqlite_and_memory_stores_answer_alike(steps in proptest::collection::vec(step(), 1..24)) {
        let dir = std::env::temp_dir().join(format!("keyward-service-prop-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut on_disk = Run::new(SqliteStore::open_with(&dir, Options::quiet()).expect("store"));
        let mut in_memory = Run::new(MemoryStore::new());
        let mut disk_answers = Vec::new();
        let mut memory_answers = Vec::new();
        for step in &steps {
            disk_answers.push(on_disk.step(step));
            memory_answers.push(in_memory.step(step));
        }
        prop_assert_eq!(normalized(&disk_answers, &on_disk), normalized(&memory_answers, &in_memory));
        let live = on_disk.observe();
        prop_assert_eq!(normalized(&live, &on_disk), normalized(&in_memory.observe(), &in_memory));
        // Opened again from the disk, the state is the one the live service had.
        let mut reopened = Run::new(SqliteStore::open_with(&dir, Options::quiet()).expect("store"));
        reopened.keys = on_disk.keys.clone();
        reopened.grants = on_disk.grants.clone();
        reopened.clock.set(on_disk.clock.now());
        prop_assert_eq!(normalized(&reopened.observe(), &reopened), normalized(&live, &on_disk));
        drop((on_disk, reopened));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
