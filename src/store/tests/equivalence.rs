//! The in-memory store answers as the SQLite store does: after the same
//! random sequence of commits (rows of two partitions written and removed,
//! audit records, stale bases), both give the same commit results, the same
//! `load`, the same `changes_since` from every point, and the same audit.

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use super::super::MemoryStore;
use super::{alias, change, describe, describe_change, grant, key, open, sample_records, scratch_dir};
use crate::kms::runtime::{AuditFilter, AuditRecord};
use crate::kms::{Change, Commit, Partition, Row, Store};

#[derive(Clone, Debug)]
enum Op {
    Key {
        partition: u8,
        key: u8,
        versions: u8,
        description: u8,
    },
    KeyRemoved {
        partition: u8,
        key: u8,
    },
    Alias {
        partition: u8,
        alias: u8,
        target: u8,
    },
    AliasRemoved {
        partition: u8,
        alias: u8,
    },
    Grant {
        partition: u8,
        grant: u8,
        created: u8,
    },
    GrantRemoved {
        partition: u8,
        grant: u8,
    },
    Store {
        partition: u8,
        store: u8,
        connected: bool,
    },
    StoreRemoved {
        partition: u8,
        store: u8,
    },
    Import {
        partition: u8,
        token: u8,
        expires: u8,
    },
    ImportRemoved {
        partition: u8,
        token: u8,
    },
}

#[derive(Clone, Debug)]
struct Step {
    ops: Vec<Op>,
    audit: usize,
    /// Commit against a sequence other than the current one.
    stale: bool,
}

fn op() -> impl Strategy<Value = Op> {
    let p = 0u8..2;
    prop_oneof![
        (p.clone(), 0u8..4, 1u8..4, 0u8..3).prop_map(|(partition, key, versions, description)| Op::Key {
            partition,
            key,
            versions,
            description
        }),
        (p.clone(), 0u8..4).prop_map(|(partition, key)| Op::KeyRemoved { partition, key }),
        (p.clone(), 0u8..3, 0u8..4).prop_map(|(partition, alias, target)| Op::Alias {
            partition,
            alias,
            target
        }),
        (p.clone(), 0u8..3).prop_map(|(partition, alias)| Op::AliasRemoved { partition, alias }),
        (p.clone(), 0u8..3, 0u8..3).prop_map(|(partition, grant, created)| Op::Grant {
            partition,
            grant,
            created
        }),
        (p.clone(), 0u8..3).prop_map(|(partition, grant)| Op::GrantRemoved { partition, grant }),
        (p.clone(), 0u8..3, any::<bool>()).prop_map(|(partition, store, connected)| Op::Store {
            partition,
            store,
            connected
        }),
        (p.clone(), 0u8..3).prop_map(|(partition, store)| Op::StoreRemoved { partition, store }),
        (p.clone(), 0u8..3, 0u8..3).prop_map(|(partition, token, expires)| Op::Import {
            partition,
            token,
            expires
        }),
        (p, 0u8..3).prop_map(|(partition, token)| Op::ImportRemoved { partition, token }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    (prop::collection::vec(op(), 0..4), 0usize..4, prop::bool::weighted(0.15)).prop_map(|(ops, audit, stale)| Step {
        ops,
        audit,
        stale,
    })
}

fn partition(n: u8) -> Partition {
    [
        Partition::new("111122223333", "us-east-1"),
        Partition::new("444455556666", "eu-west-1"),
    ][usize::from(n % 2)]
    .clone()
}

fn to_change(op: &Op) -> Change {
    match op {
        Op::Key {
            partition: p,
            key: k,
            versions,
            description,
        } => {
            let place = partition(*p);
            let mut stored = key(&place, &format!("key-{k}"), *versions);
            stored.description = format!("description {description}");
            change(&place, Row::Key(stored))
        }
        Op::KeyRemoved { partition: p, key: k } => change(&partition(*p), Row::KeyRemoved(format!("key-{k}"))),
        Op::Alias {
            partition: p,
            alias: a,
            target,
        } => {
            let place = partition(*p);
            let made = alias(&place, &format!("a{a}"), &format!("key-{target}"));
            change(&place, Row::Alias(made))
        }
        Op::AliasRemoved { partition: p, alias: a } => change(&partition(*p), Row::AliasRemoved(format!("alias/a{a}"))),
        Op::Grant {
            partition: p,
            grant: g,
            created,
        } => {
            let place = partition(*p);
            let mut made = grant(
                &format!("arn:aws:kms:{}:{}:key/key-0", place.region, place.account),
                &format!("g{g}"),
            );
            made.created_at = i64::from(*created);
            change(&place, Row::Grant(made))
        }
        Op::GrantRemoved { partition: p, grant: g } => change(&partition(*p), Row::GrantRemoved(format!("g{g}"))),
        Op::Store {
            partition: p,
            store: s,
            connected,
        } => change(
            &partition(*p),
            Row::CustomKeyStore(super::custom_key_store(*s, *connected)),
        ),
        Op::StoreRemoved { partition: p, store: s } => {
            change(&partition(*p), Row::CustomKeyStoreRemoved(format!("cks-{s:017}")))
        }
        Op::Import {
            partition: p,
            token,
            expires,
        } => {
            let place = partition(*p);
            let made = super::import_token(&place, *token, i64::from(*expires));
            change(&place, Row::Import(made))
        }
        Op::ImportRemoved { partition: p, token } => {
            change(&partition(*p), Row::ImportRemoved(crate::kms::token_hash([*token])))
        }
    }
}

fn records() -> &'static Vec<AuditRecord> {
    static RECORDS: OnceLock<Vec<AuditRecord>> = OnceLock::new();
    RECORDS.get_or_init(|| sample_records().1)
}

fn answer(result: Result<u64, crate::store::StoreError>) -> String {
    match result {
        Ok(seq) => format!("ok {seq}"),
        Err(e) => format!("error {e}"),
    }
}

fn changes(store: &dyn Store, since: u64) -> Vec<String> {
    let (changes, seq) = store.changes_since(since).unwrap();
    let mut out: Vec<String> = changes.iter().map(describe_change).collect();
    out.push(format!("at {seq}"));
    out
}

proptest! {
    #![proptest_config(ProptestConfig {
        // Each case opens a database and syncs every commit to disk.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(24),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/proptest-regressions/store_equivalence.txt"
        )))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_memory_store_answers_as_the_sqlite_store_does(steps in prop::collection::vec(step(), 1..10)) {
        let dir = scratch_dir("equivalence");
        let sqlite = open(&dir);
        let memory = MemoryStore::new();
        for step in &steps {
            let seq = memory.seq().unwrap();
            prop_assert_eq!(sqlite.seq().unwrap(), seq);
            let commit = Commit {
                changes: step.ops.iter().map(to_change).collect(),
                audit: records().iter().take(step.audit).cloned().collect(),
                base: if step.stale { seq + 1 } else { seq },
            };
            prop_assert_eq!(answer(sqlite.commit(commit.clone())), answer(memory.commit(commit)));
        }
        prop_assert_eq!(describe(&sqlite.load().unwrap()), describe(&memory.load().unwrap()));
        for since in 0..=memory.seq().unwrap() + 1 {
            prop_assert_eq!(changes(&sqlite, since), changes(&memory, since));
        }
        for filter in [
            AuditFilter::default(),
            AuditFilter { succeeded: Some(false), ..AuditFilter::default() },
            AuditFilter { operation: Some("encrypt".into()), ..AuditFilter::default() },
        ] {
            prop_assert_eq!(sqlite.audit(&filter).unwrap(), memory.audit(&filter).unwrap());
        }
        drop(sqlite);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
