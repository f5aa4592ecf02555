//! The persistent store: a runtime saved and restored keeps working, its
//! files are owner-only and hold no key material in the clear, tampering is
//! caught, and a killed process loses no acknowledged save.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use keyward::eval::Caller;
use keyward::kms::op::Json;
use keyward::kms::runtime::{AuditFilter, AuditRecord, Paging, Runtime, SimulatedClock, State};
use keyward::kms::{Authorizer, Service};
use keyward::kms::{Change, Commit, Partition, Row, Seq, Store as _};
use keyward::policy::Document;
use keyward::source::Source;
use keyward::store::{SqliteStore, StoreError, DATABASE_FILE, ROOT_KEY_FILE, SCHEMA_VERSION};
use serde_json::json;

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";
const NOW: i64 = 1_795_867_200;

const S3: &str = "s3.us-east-1.amazonaws.com";

/// The partition the runtime of these tests lives in.
/// The whole-partition save and load these tests were written with, over
/// the `kms::Store` trait: a save commits every row of the state (and
/// removes the partition's rows it no longer has) in one commit.
trait WholePartition {
    fn replace_partition(&self, state: &State, audit: &[AuditRecord]) -> Result<Seq, StoreError>;
    fn load_partition(&self, partition: &Partition) -> Result<Option<State>, StoreError>;
    fn append(&self, audit: &[AuditRecord]) -> Result<Seq, StoreError>;
}

impl WholePartition for SqliteStore {
    fn replace_partition(&self, state: &State, audit: &[AuditRecord]) -> Result<Seq, StoreError> {
        let partition = Partition::new(&state.account, &state.region);
        let mut changes = Vec::new();
        if let Some(old) = self.load_partition(&partition)? {
            let gone_keys = old
                .keys
                .into_iter()
                .filter(|k| !state.keys.iter().any(|n| n.id == k.id))
                .map(|k| Row::KeyRemoved(k.id));
            let gone_aliases = old
                .aliases
                .into_iter()
                .filter(|a| !state.aliases.iter().any(|n| n.name == a.name))
                .map(|a| Row::AliasRemoved(a.name));
            let gone_grants = old
                .grants
                .into_iter()
                .filter(|g| !state.grants.iter().any(|n| n.grant_id == g.grant_id))
                .map(|g| Row::GrantRemoved(g.grant_id));
            changes.extend(gone_keys.chain(gone_aliases).chain(gone_grants));
        }
        changes.extend(state.keys.iter().cloned().map(Row::Key));
        changes.extend(state.aliases.iter().cloned().map(Row::Alias));
        changes.extend(state.grants.iter().cloned().map(Row::Grant));
        let changes = changes
            .into_iter()
            .map(|row| Change {
                partition: partition.clone(),
                row,
            })
            .collect();
        self.commit(Commit {
            changes,
            audit: audit.to_vec(),
            base: self.seq()?,
        })
    }

    fn load_partition(&self, partition: &Partition) -> Result<Option<State>, StoreError> {
        Ok(self
            .load()?
            .partitions
            .into_iter()
            .find(|p| p.partition == *partition)
            .map(|p| State {
                account: p.partition.account,
                region: p.partition.region,
                keys: p.keys,
                aliases: p.aliases,
                grants: p.grants,
                custom_key_stores: p.custom_key_stores,
                imports: p.imports,
            }))
    }

    fn append(&self, audit: &[AuditRecord]) -> Result<Seq, StoreError> {
        self.commit(Commit {
            changes: Vec::new(),
            audit: audit.to_vec(),
            base: self.seq()?,
        })
    }
}

fn partition() -> Partition {
    Partition::new(ACCOUNT, REGION)
}

fn runtime() -> Runtime<SimulatedClock> {
    Runtime::new(ACCOUNT, REGION, SimulatedClock::at(NOW))
}

fn root() -> Caller {
    Caller::parse("arn:aws:iam::111122223333:root").unwrap()
}

fn user() -> Caller {
    Caller::parse("arn:aws:iam::111122223333:user/reader").unwrap()
}

fn ctx(purpose: &str) -> BTreeMap<String, String> {
    [("purpose".to_owned(), purpose.to_owned())].into()
}

/// A state directory that does not exist yet.
fn state_dir(name: &str) -> PathBuf {
    let suffix: String = keyward::crypto::random_bytes(6)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("store-{name}-{suffix}"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn decrypt_grant_for_reader() -> keyward::policy::Grant {
    let text = r#"{"GranteePrincipal": "arn:aws:iam::111122223333:user/reader", "Operations": ["Decrypt"]}"#;
    let Document::Grants(mut grants) = Document::parse(&Source::new("grant", text), None).unwrap() else {
        panic!("not a grant")
    };
    grants.grants.remove(0).node
}

/// What the round trip saves: two keys (one rotated, tagged, aliased and
/// granted; one with automatic rotation, disabled), a key pending deletion,
/// the AWS managed key of S3, SQS's AWS owned key, and a refused call in the
/// audit log.
struct Saved {
    app: String,
    app_arn: String,
    other: String,
    doomed: String,
    old_ciphertext: Vec<u8>,
    new_ciphertext: Vec<u8>,
    /// Under the AWS managed key `alias/aws/s3`, through S3.
    s3_ciphertext: Vec<u8>,
    /// Under SQS's AWS owned key.
    sqs_ciphertext: Vec<u8>,
}

fn populate(rt: &mut Runtime<SimulatedClock>) -> Saved {
    let app = rt.create_key(&root(), Some("app data"), None, false).unwrap();
    let other = rt.create_key(&root(), Some("other"), None, false).unwrap();
    let doomed = rt.create_key(&root(), None, None, false).unwrap();
    rt.create_alias(&root(), "alias/app", &app.key_id).unwrap();
    rt.tag_resource(&root(), &app.key_id, &[("team".to_owned(), "billing".to_owned())])
        .unwrap();
    let old_ciphertext = rt
        .encrypt(&root(), "alias/app", b"before rotation", &ctx("old"), &[])
        .unwrap()
        .ciphertext_blob;
    rt.rotate_key_on_demand(&root(), &app.key_id).unwrap();
    let new_ciphertext = rt
        .encrypt(&root(), "alias/app", b"after rotation", &ctx("new"), &[])
        .unwrap()
        .ciphertext_blob;
    rt.create_grant(&root(), &app.key_id, decrypt_grant_for_reader(), &[])
        .unwrap();
    rt.enable_key_rotation(&root(), &other.key_id, Some(90)).unwrap();
    rt.disable_key(&root(), &other.key_id).unwrap();
    rt.schedule_key_deletion(&root(), &doomed.key_id, Some(7)).unwrap();
    // Refused: the reader has no identity policy and the grant is on `app`.
    assert!(rt.encrypt(&user(), &other.key_id, b"x", &ctx("x"), &[]).is_err());
    let s3_ciphertext = rt
        .encrypt(&root().via(S3), "alias/aws/s3", b"object", &ctx("s3"), &[])
        .unwrap()
        .ciphertext_blob;
    let sqs_ciphertext = rt.aws_owned_encrypt("sqs", b"message", &ctx("sqs")).unwrap();
    Saved {
        app: app.key_id,
        app_arn: app.arn,
        other: other.key_id,
        doomed: doomed.key_id,
        old_ciphertext,
        new_ciphertext,
        s3_ciphertext,
        sqs_ciphertext,
    }
}

#[test]
fn a_saved_runtime_restores_with_keys_aliases_rotations_grants_and_audit() {
    let dir = state_dir("round-trip");
    let mut rt = runtime();
    let saved = populate(&mut rt);
    let records = rt.audit.drain();
    let store = SqliteStore::open(&dir).unwrap();
    store.replace_partition(&rt.export(), &records).unwrap();
    drop(store);

    let store = SqliteStore::open(&dir).unwrap();
    let state = store.load_partition(&partition()).unwrap().expect("a saved state");
    assert_eq!((state.account.as_str(), state.region.as_str()), (ACCOUNT, REGION));
    let mut restored = runtime();
    restored.restore(state).unwrap();
    restored.audit.resume_after(store.last_event_id().unwrap());

    for key in [&saved.app, &saved.other, &saved.doomed] {
        assert_eq!(
            restored.describe_key(&root(), key).unwrap(),
            rt.describe_key(&root(), key).unwrap()
        );
        assert_eq!(
            restored.get_key_rotation_status(&root(), key).unwrap(),
            rt.get_key_rotation_status(&root(), key).unwrap()
        );
    }
    assert_eq!(
        restored.list_aliases(&root(), None, Paging::default()).unwrap().items,
        rt.list_aliases(&root(), None, Paging::default()).unwrap().items
    );
    assert_eq!(
        restored.list_resource_tags(&root(), &saved.app).unwrap(),
        rt.list_resource_tags(&root(), &saved.app).unwrap()
    );
    assert_eq!(
        restored.list_key_rotations(&root(), &saved.app).unwrap(),
        rt.list_key_rotations(&root(), &saved.app).unwrap()
    );
    assert_eq!(
        restored
            .list_grants(&root(), &saved.app, None, None, Paging::default())
            .unwrap()
            .items,
        rt.list_grants(&root(), &saved.app, None, None, Paging::default())
            .unwrap()
            .items
    );
    assert_eq!(
        restored.get_key_policy(&root(), &saved.app, None).unwrap(),
        rt.get_key_policy(&root(), &saved.app, None).unwrap()
    );
    // Ciphertext from before the rotation opens with the old material, and
    // the grant still lets the reader decrypt.
    let old = restored
        .decrypt(&user(), &saved.old_ciphertext, None, &ctx("old"), &[])
        .unwrap();
    assert_eq!(old.plaintext.as_slice(), b"before rotation");
    let new = restored
        .decrypt(&root(), &saved.new_ciphertext, Some("alias/app"), &ctx("new"), &[])
        .unwrap();
    assert_eq!(new.plaintext.as_slice(), b"after rotation");
    // The AWS managed key is still AWS's, and the AWS owned key still opens
    // its blob without being in the account.
    assert_eq!(
        restored.describe_key(&root(), "alias/aws/s3").unwrap().key_manager,
        "AWS"
    );
    let object = restored
        .decrypt(&root().via(S3), &saved.s3_ciphertext, None, &ctx("s3"), &[])
        .unwrap();
    assert_eq!(object.plaintext.as_slice(), b"object");
    assert_eq!(
        restored
            .aws_owned_decrypt("sqs", &saved.sqs_ciphertext, &ctx("sqs"))
            .unwrap()
            .as_slice(),
        b"message"
    );
    assert_eq!(restored.list_keys(&root(), Paging::default()).unwrap().items.len(), 4);

    // The audit log is there and filterable.
    let all = store.audit(&AuditFilter::default()).unwrap();
    assert_eq!(all.len(), records.len());
    assert_eq!(store.last_event_id().unwrap(), records.len() as u64);
    let ids: Vec<u64> = all.iter().map(|r| r["eventID"].as_u64().unwrap()).collect();
    assert_eq!(ids, (1..=records.len() as u64).collect::<Vec<_>>());
    let on_app = store
        .audit(&AuditFilter {
            key: Some(saved.app_arn.clone()),
            ..AuditFilter::default()
        })
        .unwrap();
    assert!(
        !on_app.is_empty()
            && on_app
                .iter()
                .all(|r| r["resources"][0]["ARN"] == saved.app_arn.as_str())
    );
    let refused = store
        .audit(&AuditFilter {
            succeeded: Some(false),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["errorCode"], "AccessDeniedException");
    assert_eq!(refused[0]["userIdentity"]["arn"], user().arn.as_str());
    let encrypts = store
        .audit(&AuditFilter {
            operation: Some("encrypt".into()),
            principal: Some(root().arn),
            succeeded: Some(true),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(encrypts.len(), 3, "two directly, one through S3");
    assert!(encrypts.iter().all(|r| r["eventName"] == "Encrypt"));
    assert_eq!(encrypts[2]["userIdentity"]["invokedBy"], "s3.amazonaws.com");

    // The restored runtime's next records continue the numbering, and a
    // save replaces what was saved.
    let store = store;
    restored.delete_alias(&root(), "alias/app").unwrap();
    let more = restored.audit.drain();
    assert!(more.first().is_some_and(|r| r.event_id > records.len() as u64));
    store.replace_partition(&restored.export(), &more).unwrap();
    let again = store.load_partition(&partition()).unwrap().unwrap();
    let names = |state: &keyward::kms::runtime::State| -> Vec<String> {
        state.aliases.iter().map(|a| a.name.clone()).collect()
    };
    assert_eq!(names(&again), ["alias/aws/s3"]);
    assert_eq!(again.keys.len(), 5);
    assert_eq!(
        store.audit(&AuditFilter::default()).unwrap().len(),
        records.len() + more.len()
    );
    // The store numbers the records itself: the same records saved again
    // are appended under the next ids, never over the saved ones.
    store.append(&more).unwrap();
    let ids: Vec<u64> = store
        .audit(&AuditFilter::default())
        .unwrap()
        .iter()
        .map(|r| r["eventID"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, (1..=(records.len() + 2 * more.len()) as u64).collect::<Vec<_>>());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_saved_re_encrypt_is_found_under_either_key() {
    let dir = state_dir("re-encrypt-audit");
    let mut rt = runtime();
    let source = rt.create_key(&root(), None, None, false).unwrap();
    let destination = rt.create_key(&root(), None, None, false).unwrap();
    let sealed = rt.encrypt(&root(), &source.key_id, b"x", &ctx("a"), &[]).unwrap();
    rt.re_encrypt(
        &root(),
        &sealed.ciphertext_blob,
        Some(&source.key_id),
        &ctx("a"),
        &destination.key_id,
        &ctx("b"),
        &[],
    )
    .unwrap();
    let store = SqliteStore::open(&dir).unwrap();
    store.replace_partition(&rt.export(), &rt.audit.drain()).unwrap();
    for key in [&source.arn, &destination.arn] {
        let found = store
            .audit(&AuditFilter {
                key: Some(key.clone()),
                operation: Some("ReEncrypt".into()),
                ..AuditFilter::default()
            })
            .unwrap();
        assert_eq!(found.len(), 1, "{key}");
        assert_eq!(found[0]["requestID"].as_str().map(str::len), Some(36));
    }
}

#[test]
fn appending_audit_records_keeps_the_saved_state_and_records_the_client() {
    let dir = state_dir("append-audit");
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap();
    let store = SqliteStore::open(&dir).unwrap();
    store.replace_partition(&rt.export(), &rt.audit.drain()).unwrap();
    let mut client = root();
    client.source_ip = Some("127.0.0.1".into());
    client.user_agent = Some("aws-cli/2".into());
    rt.encrypt(&client, &key.key_id, b"x", &ctx("a"), &[]).unwrap();
    assert!(rt.encrypt(&user(), &key.key_id, b"x", &ctx("a"), &[]).is_err());
    store.append(&rt.audit.drain()).unwrap();
    drop(store);

    let store = SqliteStore::open(&dir).unwrap();
    let state = store
        .load_partition(&partition())
        .unwrap()
        .expect("the state is still there");
    assert_eq!(state.keys.len(), 1);
    assert_eq!(store.last_event_id().unwrap(), 3);
    let encrypts = store
        .audit(&AuditFilter {
            operation: Some("Encrypt".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(encrypts.len(), 2);
    assert_eq!(encrypts[0]["sourceIPAddress"], "127.0.0.1");
    assert_eq!(encrypts[0]["userAgent"], "aws-cli/2");
    assert_eq!(encrypts[1]["errorCode"], "AccessDeniedException");
    assert!(encrypts[1].get("sourceIPAddress").is_none());
}

#[test]
fn the_files_are_owner_only_and_hold_no_key_material_in_the_clear() {
    let dir = state_dir("at-rest");
    let mut rt = runtime();
    populate(&mut rt);
    let state = rt.export();
    let store = SqliteStore::open(&dir).unwrap();
    store.replace_partition(&state, &rt.audit.drain()).unwrap();

    let materials: Vec<Vec<u8>> = state
        .keys
        .iter()
        .flat_map(|k| &k.materials)
        .map(|m| m.material.expose_for_wrapping().to_vec())
        .collect();
    assert_eq!(
        materials.len(),
        6,
        "three customer keys, one rotated; an AWS managed and an AWS owned key"
    );
    let loaded = store.load_partition(&partition()).unwrap().unwrap();
    assert_eq!(loaded.keys.iter().map(|k| k.materials.len()).sum::<usize>(), 6);
    let scan = |when: &str| {
        let mut scanned = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with(DATABASE_FILE) {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            scanned += bytes.len();
            for material in &materials {
                assert!(
                    !bytes.windows(32).any(|w| w == material.as_slice()),
                    "{name} holds key material in the clear ({when})"
                );
            }
        }
        assert!(scanned > 0, "nothing scanned ({when})");
    };
    // While open (the write-ahead log holds the latest pages), then closed.
    scan("open");
    drop(store);
    scan("closed");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join(ROOT_KEY_FILE)), 0o600);
        assert_eq!(mode(&dir.join(DATABASE_FILE)), 0o600);
        let store = SqliteStore::open(&dir).unwrap();
        let wal = dir.join(format!("{DATABASE_FILE}-wal"));
        assert!(wal.exists(), "the database is in write-ahead-log mode");
        assert_eq!(mode(&wal), 0o600);
        drop(store);
    }
    assert_eq!(std::fs::metadata(dir.join(ROOT_KEY_FILE)).unwrap().len(), 32);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Saves a populated runtime and returns the directory and one key's id.
fn saved_store(name: &str) -> (PathBuf, Saved) {
    let dir = state_dir(name);
    let mut rt = runtime();
    let saved = populate(&mut rt);
    SqliteStore::open(&dir)
        .unwrap()
        .replace_partition(&rt.export(), &rt.audit.drain())
        .unwrap();
    (dir, saved)
}

fn database(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join(DATABASE_FILE)).unwrap()
}

fn corrupt_what(dir: &Path) -> String {
    match SqliteStore::open(dir).unwrap().load_partition(&partition()) {
        Err(StoreError::Corrupt { what, .. }) => what,
        other => panic!("expected a corrupt store, got {other:?}"),
    }
}

#[test]
fn a_changed_or_moved_wrapped_material_fails_to_load_as_corrupt() {
    let (dir, saved) = saved_store("tamper");
    // One bit of one wrapped material flipped.
    let db = database(&dir);
    let mut wrapped: Vec<u8> = db
        .query_row(
            "SELECT wrapped FROM materials WHERE key_id = ?1 AND position = 0",
            [&saved.other],
            |row| row.get(0),
        )
        .unwrap();
    let last = wrapped.len() - 1;
    wrapped[last] ^= 1;
    db.execute(
        "UPDATE materials SET wrapped = ?1 WHERE key_id = ?2 AND position = 0",
        rusqlite::params![wrapped, saved.other],
    )
    .unwrap();
    drop(db);
    let what = corrupt_what(&dir);
    assert!(
        what.contains(&saved.other) && what.contains("does not unwrap"),
        "{what}"
    );
    let error = SqliteStore::open(&dir)
        .unwrap()
        .load_partition(&partition())
        .unwrap_err();
    assert_eq!(
        miette::Diagnostic::code(&error).unwrap().to_string(),
        "keyward::store::corrupt"
    );
    let _ = std::fs::remove_dir_all(&dir);

    // An intact wrapped material moved to another key does not open there.
    let (dir, saved) = saved_store("move");
    let db = database(&dir);
    db.execute(
        "UPDATE materials SET wrapped = (SELECT wrapped FROM materials WHERE key_id = ?1 AND position = 0)
         WHERE key_id = ?2",
        [&saved.app, &saved.doomed],
    )
    .unwrap();
    drop(db);
    let what = corrupt_what(&dir);
    assert!(what.contains(&saved.doomed), "{what}");
    let _ = std::fs::remove_dir_all(&dir);

    // Nor does it open under another material id of its own key.
    let (dir, saved) = saved_store("relabel");
    let db = database(&dir);
    db.execute(
        "UPDATE materials SET material_id = ?1 WHERE key_id = ?2 AND position = 0",
        [&"ab".repeat(32), &saved.other],
    )
    .unwrap();
    drop(db);
    assert!(corrupt_what(&dir).contains(&saved.other));
    let _ = std::fs::remove_dir_all(&dir);

    // A key whose material rows are gone.
    let (dir, saved) = saved_store("lost-material");
    let db = database(&dir);
    db.execute("DELETE FROM materials WHERE key_id = ?1", [&saved.other])
        .unwrap();
    drop(db);
    assert!(corrupt_what(&dir).contains("has no key material"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_database_from_a_newer_keyward_is_refused() {
    let (dir, _) = saved_store("too-new");
    let db = database(&dir);
    db.execute(
        "INSERT INTO schema_version (version, applied) VALUES (?1, 0)",
        [SCHEMA_VERSION + 1],
    )
    .unwrap();
    drop(db);
    let error = SqliteStore::open(&dir).unwrap_err();
    assert!(
        matches!(error, StoreError::TooNew { found, known, .. } if found == SCHEMA_VERSION + 1 && known == SCHEMA_VERSION),
        "{error}"
    );
    assert_eq!(
        miette::Diagnostic::code(&error).unwrap().to_string(),
        "keyward::store::too-new"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The child of the crash test: creates a key, encrypts under it and saves,
/// over and over, printing `ack KEY-ID CIPHERTEXT-HEX` after each save
/// returns. Does nothing unless `KEYWARD_CRASH_DIR` is set; stops by itself
/// after 30 seconds if nobody kills it.
#[test]
#[ignore = "run by crash_safety_loses_no_acknowledged_save"]
fn crash_child() {
    let Some(dir) = std::env::var_os("KEYWARD_CRASH_DIR") else {
        return;
    };
    let store = SqliteStore::open(Path::new(&dir)).unwrap();
    let mut rt = runtime();
    let started = Instant::now();
    let mut stdout = std::io::stdout();
    while started.elapsed() < Duration::from_secs(30) {
        let key = rt.create_key(&root(), None, None, false).unwrap();
        let blob = rt
            .encrypt(&root(), &key.key_id, key.key_id.as_bytes(), &ctx("crash"), &[])
            .unwrap()
            .ciphertext_blob;
        store.replace_partition(&rt.export(), &rt.audit.drain()).unwrap();
        writeln!(stdout, "ack {} {}", key.key_id, hex(&blob)).unwrap();
        stdout.flush().unwrap();
    }
}

/// Runs the ignored test `child` in a child process writing to a new state
/// directory, lets it acknowledge calls for half a second (and at least ten),
/// kills it with SIGKILL, most likely in the middle of a commit, and returns
/// the state directory with every `ack KEY BLOB` line it printed.
fn acknowledged_until_killed(name: &str, child: &str) -> (PathBuf, Vec<(String, Vec<u8>)>) {
    let dir = state_dir(name);
    std::fs::create_dir_all(&dir).unwrap();
    let stderr = std::fs::File::create(dir.join("child.stderr")).unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", child, "--ignored", "--nocapture"])
        .env("KEYWARD_CRASH_DIR", dir.join("state"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(stderr))
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acknowledged: Vec<(String, Vec<u8>)> = Vec::new();
    let parse = |line: &str| {
        let mut parts = line.strip_prefix("ack ")?.split(' ');
        Some((parts.next()?.to_owned(), unhex(parts.next()?)))
    };
    let started = Instant::now();
    while (acknowledged.len() < 10 || started.elapsed() < Duration::from_millis(500))
        && started.elapsed() < Duration::from_secs(20)
    {
        match lines.next() {
            Some(line) => acknowledged.extend(parse(&line.unwrap())),
            None => break,
        }
    }
    child.kill().unwrap();
    // Acknowledgements already in the pipe count too.
    acknowledged.extend(lines.map_while(Result::ok).filter_map(|l| parse(&l)));
    child.wait().unwrap();
    let stderr = std::fs::read_to_string(dir.join("child.stderr")).unwrap_or_default();
    assert!(acknowledged.len() >= 10, "the child stopped early:\n{stderr}");
    (dir, acknowledged)
}

#[test]
fn crash_safety_loses_no_acknowledged_save() {
    let (dir, acknowledged) = acknowledged_until_killed("crash", "store::crash_child");
    let store = SqliteStore::open(&dir.join("state")).unwrap();
    let mut restored = runtime();
    restored
        .restore(store.load_partition(&partition()).unwrap().unwrap())
        .unwrap();
    for (key_id, blob) in &acknowledged {
        assert!(restored.describe_key(&root(), key_id).is_ok(), "key {key_id} was lost");
        let plain = restored
            .decrypt(&root(), blob, Some(key_id), &ctx("crash"), &[])
            .unwrap_or_else(|e| panic!("a ciphertext of {key_id} no longer decrypts: {e:?}"));
        assert_eq!(plain.plaintext.as_slice(), key_id.as_bytes());
    }
    // Every acknowledged call is in the audit log too (two per key).
    assert!(store.last_event_id().unwrap() >= 2 * acknowledged.len() as u64);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A `Service` on the SQLite store of `dir`: the write path of every front
/// end (`keyward serve`, the CLI, the REPL).
fn service(dir: &Path) -> Service<Arc<SimulatedClock>> {
    let store = SqliteStore::open(dir).unwrap();
    Service::open(
        Box::new(store),
        Authorizer::default(),
        Arc::new(SimulatedClock::at(NOW)),
        ACCOUNT,
    )
    .unwrap()
}

fn service_call(kms: &Service<Arc<SimulatedClock>>, operation: &str, request: serde_json::Value) -> serde_json::Value {
    kms.call(
        &root(),
        REGION,
        &Json {
            operation,
            request: &request,
        },
    )
    .unwrap_or_else(|e| panic!("{operation}: {e:?}"))
}

/// The child of `crash_safety_through_the_service_loses_no_acknowledged_call`:
/// `CreateKey` then `Encrypt` through `Service::call`, each answered only
/// once its rows and audit record are committed; prints `ack KEY BLOB`.
#[test]
#[ignore = "run by crash_safety_through_the_service_loses_no_acknowledged_call"]
fn service_crash_child() {
    let Some(dir) = std::env::var_os("KEYWARD_CRASH_DIR") else {
        return;
    };
    let kms = service(Path::new(&dir));
    let started = Instant::now();
    let mut stdout = std::io::stdout();
    while started.elapsed() < Duration::from_secs(30) {
        let created = service_call(&kms, "CreateKey", json!({}));
        let key = created["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
        let sealed = service_call(
            &kms,
            "Encrypt",
            json!({"KeyId": key, "Plaintext": BASE64.encode(&key), "EncryptionContext": {"purpose": "crash"}}),
        );
        let blob = BASE64.decode(sealed["CiphertextBlob"].as_str().unwrap()).unwrap();
        writeln!(stdout, "ack {key} {}", hex(&blob)).unwrap();
        stdout.flush().unwrap();
    }
}

#[test]
fn crash_safety_through_the_service_loses_no_acknowledged_call() {
    let (dir, acknowledged) = acknowledged_until_killed("service-crash", "store::service_crash_child");
    let kms = service(&dir.join("state"));
    for (key_id, blob) in &acknowledged {
        let described = service_call(&kms, "DescribeKey", json!({"KeyId": key_id}));
        assert_eq!(described["KeyMetadata"]["KeyState"], "Enabled", "key {key_id}");
        let opened = service_call(
            &kms,
            "Decrypt",
            json!({"CiphertextBlob": BASE64.encode(blob), "EncryptionContext": {"purpose": "crash"}}),
        );
        assert_eq!(
            opened["KeyId"].as_str().unwrap().rsplit('/').next(),
            Some(key_id.as_str())
        );
        assert_eq!(
            BASE64.decode(opened["Plaintext"].as_str().unwrap()).unwrap(),
            key_id.as_bytes()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The child of the sharing tests: opens the state in `KEYWARD_SHARED_DIR`
/// (with the default options, so a wait is told on stderr) and commits
/// `KEYWARD_SHARED_KEYS` new keys, each with its audit records, catching
/// up and retrying when another process committed first.
#[test]
#[ignore = "run by the two-process tests"]
fn shared_child() {
    use keyward::kms::{Change, Commit, Row, Store};
    let Some(dir) = std::env::var_os("KEYWARD_SHARED_DIR") else {
        return;
    };
    let count: usize = std::env::var("KEYWARD_SHARED_KEYS").unwrap().parse().unwrap();
    let store = SqliteStore::open(Path::new(&dir)).unwrap();
    let mut rt = runtime();
    for _ in 0..count {
        let made = rt.create_key(&root(), None, None, false).unwrap();
        let key = rt.export().keys.into_iter().find(|k| k.id == made.key_id).unwrap();
        let audit = rt.audit.drain();
        loop {
            let commit = Commit {
                changes: vec![Change {
                    partition: partition(),
                    row: Row::Key(key.clone()),
                }],
                audit: audit.clone(),
                base: store.seq().unwrap(),
            };
            match store.commit(commit) {
                Ok(_) => break,
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => panic!("{e}"),
            }
        }
    }
    println!("committed {count}");
}

fn shared_child_process(dir: &Path, keys: usize) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "store::shared_child", "--ignored", "--nocapture"])
        .env("KEYWARD_SHARED_DIR", dir)
        .env("KEYWARD_SHARED_KEYS", keys.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn two_processes_on_one_new_state_directory_never_find_it_locked_and_lose_nothing() {
    for round in 0..10 {
        let dir = state_dir(&format!("two-processes-{round}"));
        let children = [shared_child_process(&dir, 5), shared_child_process(&dir, 5)];
        for child in children {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "round {round}: {stderr}");
            assert!(!stderr.contains("locked"), "round {round}: {stderr}");
            assert!(String::from_utf8_lossy(&out.stdout).contains("committed 5"));
        }
        let store = SqliteStore::open(&dir).unwrap();
        let state = store.load_partition(&partition()).unwrap().unwrap();
        assert_eq!(state.keys.len(), 10, "round {round}");
        let ids: Vec<u64> = store
            .audit(&AuditFilter::default())
            .unwrap()
            .iter()
            .map(|r| r["eventID"].as_u64().unwrap())
            .collect();
        assert_eq!(ids, (1..=10).collect::<Vec<u64>>(), "round {round}");
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_process_kept_waiting_for_the_database_says_so_on_stderr() {
    let dir = state_dir("waiting-process");
    // This process has the state open (its holder file names it) and
    // holds the write lock.
    let store = SqliteStore::open(&dir).unwrap();
    let holder = rusqlite::Connection::open(dir.join(DATABASE_FILE)).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let child = shared_child_process(&dir, 1);
    std::thread::sleep(Duration::from_millis(2500));
    holder.execute_batch("COMMIT").unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let program = std::env::current_exe().unwrap();
    let program = program.file_name().unwrap().to_string_lossy();
    let said = format!(
        "is locked by process {} ({program}); waiting for it",
        std::process::id()
    );
    assert_eq!(stderr.matches(&said).count(), 1, "{said:?} in {stderr}");
    drop(store);
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("keyward.lock"))
        .collect();
    assert!(
        left.is_empty(),
        "every holder file is removed when its store closes: {left:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Several imported materials, their states, terms and which is current
/// are kept in the key's properties and come back from the store
/// (docs/import.md).
#[test]
fn imported_materials_pending_rotation_and_rotated_survive_a_save_and_load() {
    use keyward::crypto::import::{wrap, WrappingAlgorithm};
    use keyward::crypto::keys::{KeySpec, PublicKey};
    use keyward::kms::op::run_json;

    let call = |rt: &mut Runtime<SimulatedClock>, name: &str, request: serde_json::Value| {
        run_json(rt, &root(), name, &request).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let import = |rt: &mut Runtime<SimulatedClock>, key: &str, material: [u8; 32], extra: serde_json::Value| {
        let parameters = call(
            rt,
            "GetParametersForImport",
            json!({"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
        );
        let der = BASE64.decode(parameters["PublicKey"].as_str().unwrap()).unwrap();
        let public = PublicKey::from_der(KeySpec::Rsa2048, &der).unwrap();
        let wrapped = wrap(&public, WrappingAlgorithm::RsaesOaepSha256, &material).unwrap();
        let mut request = json!({"KeyId": key, "ImportToken": parameters["ImportToken"],
            "EncryptedKeyMaterial": BASE64.encode(wrapped), "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"});
        for (name, value) in extra.as_object().unwrap() {
            request[name] = value.clone();
        }
        call(rt, "ImportKeyMaterial", request)
    };
    let mut rt = runtime();
    let key = call(&mut rt, "CreateKey", json!({"Origin": "EXTERNAL"}))["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_owned();
    import(&mut rt, &key, [1; 32], json!({"KeyMaterialDescription": "first"}));
    let sealed = call(&mut rt, "Encrypt", json!({"KeyId": key, "Plaintext": "eA=="}));
    import(&mut rt, &key, [2; 32], json!({"ImportType": "NEW_KEY_MATERIAL"}));
    call(&mut rt, "RotateKeyOnDemand", json!({"KeyId": key}));
    import(&mut rt, &key, [3; 32], json!({"ImportType": "NEW_KEY_MATERIAL"}));

    let dir = state_dir("imported-materials");
    let store = SqliteStore::open(&dir).unwrap();
    store.replace_partition(&rt.export(), &[]).unwrap();
    let state = store.load_partition(&partition()).unwrap().expect("a saved state");
    let mut restored = runtime();
    restored.restore(state).unwrap();
    let all = json!({"KeyId": key, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"});
    let listed = call(&mut restored, "ListKeyRotations", all.clone());
    assert_eq!(listed, call(&mut rt, "ListKeyRotations", all));
    let states: Vec<&str> = listed["Rotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["KeyMaterialState"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["NON_CURRENT", "CURRENT", "PENDING_ROTATION"]);
    let describe = json!({"KeyId": key});
    assert_eq!(
        call(&mut restored, "DescribeKey", describe.clone()),
        call(&mut rt, "DescribeKey", describe)
    );
    let opened = call(
        &mut restored,
        "Decrypt",
        json!({"CiphertextBlob": sealed["CiphertextBlob"]}),
    );
    assert_eq!(opened["Plaintext"], "eA==");
    call(&mut restored, "RotateKeyOnDemand", json!({"KeyId": key}));
    let _ = std::fs::remove_dir_all(&dir);
}
