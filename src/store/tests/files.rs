//! Files on disk: where the state lives, how material is bound to its row,
//! what the root key file must look like, and who may read what.

use std::ffi::OsString;
use std::path::Path;

use super::super::root_key::RootKey;
use super::super::*;
use super::{change, home, key, open, scratch_dir};
use crate::crypto::{KeyMaterial, MaterialId};
use crate::kms::{Commit, Row, Store};

fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
    move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| OsString::from(v))
}

#[test]
fn the_default_directory_follows_keyward_state_then_xdg_then_home() {
    let all = [("KEYWARD_STATE", "/s"), ("XDG_DATA_HOME", "/x"), ("HOME", "/h")];
    assert_eq!(default_dir_from(env(&all)), Path::new("/s"));
    assert_eq!(default_dir_from(env(&all[1..])), Path::new("/x/keyward"));
    assert_eq!(default_dir_from(env(&all[2..])), Path::new("/h/.local/share/keyward"));
    // Empty values count as unset; a relative XDG_DATA_HOME is ignored.
    let odd = [("KEYWARD_STATE", ""), ("XDG_DATA_HOME", "rel"), ("HOME", "/h")];
    assert_eq!(default_dir_from(env(&odd)), Path::new("/h/.local/share/keyward"));
    assert_eq!(default_dir_from(env(&[])), Path::new(".keyward"));
}

#[test]
fn a_wrapped_material_opens_only_for_its_own_key_and_material_id() {
    let dir = scratch_dir("wrap");
    let root = RootKey::load_or_create(&dir, true, &dir.join(DATABASE_FILE)).unwrap();
    let material = KeyMaterial::from_bytes([7; 32]);
    let id = MaterialId([1; 32]);
    let wrapped = wrap::wrap(&root, "key-a", &id, &material).unwrap();
    let opened = wrap::unwrap(&root, "key-a", &id, &wrapped).unwrap();
    assert_eq!(opened.expose_for_wrapping().as_slice(), &[7; 32]);
    assert!(!wrapped.windows(32).any(|w| w == [7; 32]));
    assert_eq!(
        wrap::unwrap(&root, "key-b", &id, &wrapped).err(),
        Some(wrap::Unwrap::Invalid)
    );
    assert_eq!(
        wrap::unwrap(&root, "key-a", &MaterialId([2; 32]), &wrapped).err(),
        Some(wrap::Unwrap::Invalid)
    );
    let other_dir = scratch_dir("wrap-other");
    let other = RootKey::load_or_create(&other_dir, true, &other_dir.join(DATABASE_FILE)).unwrap();
    assert_eq!(
        wrap::unwrap(&other, "key-a", &id, &wrapped).err(),
        Some(wrap::Unwrap::OtherRootKey)
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&other_dir);
}

#[test]
fn a_root_key_of_the_wrong_size_is_refused() {
    let dir = scratch_dir("short-root");
    write_owner_only(&dir.join(ROOT_KEY_FILE), &[0; 31]);
    let error = SqliteStore::open_with(&dir, Options::quiet()).unwrap_err();
    assert!(matches!(error, StoreError::RootKeyInvalid { size: 31, .. }), "{error}");
    assert_eq!(
        error.to_string(),
        format!(
            "the root key `{}` is 31 bytes, not 32",
            dir.join(ROOT_KEY_FILE).display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn a_root_key_others_can_read_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch_dir("open-root");
    open(&dir);
    let key = dir.join(ROOT_KEY_FILE);
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
    let error = SqliteStore::open_with(&dir, Options::quiet()).unwrap_err();
    assert!(matches!(error, StoreError::Permissions { mode: 0o640, .. }), "{error}");
    assert_eq!(
        miette::Diagnostic::code(&error).unwrap().to_string(),
        "keyward::store::permissions"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_database_without_its_root_key_is_refused() {
    let dir = scratch_dir("lost-root");
    open(&dir);
    std::fs::remove_file(dir.join(ROOT_KEY_FILE)).unwrap();
    let error = SqliteStore::open_with(&dir, Options::quiet()).unwrap_err();
    assert!(matches!(error, StoreError::RootKeyMissing { .. }), "{error}");
    assert!(
        !dir.join(ROOT_KEY_FILE).exists(),
        "no new root key replaces the lost one"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn opening_twice_keeps_the_root_key_and_applies_migrations_once() {
    let dir = scratch_dir("reopen");
    let first = open(&dir);
    let first_id = first.root().id;
    drop(first);
    let second = open(&dir);
    assert_eq!(second.root().id, first_id);
    let raw = rusqlite::Connection::open(dir.join(DATABASE_FILE)).unwrap();
    let versions: i64 = raw
        .query_row("SELECT count(*) FROM schema_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(versions, SCHEMA_VERSION);
    let snapshot = second.load().unwrap();
    assert_eq!((snapshot.seq, snapshot.partitions.len()), (0, 0));
    assert_eq!(second.last_event_id().unwrap(), 0);
    assert!(format!("{second:?}").starts_with("SqliteStore { dir: "));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn key_material_never_reaches_the_files_in_the_clear() {
    let dir = scratch_dir("clear");
    let store = open(&dir);
    let mut secret = key(&home(), "k", 1);
    secret.materials[0].material = KeyMaterial::from_bytes([0xa7; 32]);
    store
        .commit(Commit {
            changes: vec![change(&home(), Row::Key(secret))],
            ..Commit::default()
        })
        .unwrap();
    drop(store);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name() == Some(std::ffi::OsStr::new(ROOT_KEY_FILE)) {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        assert!(!bytes.windows(32).any(|w| w == [0xa7; 32]), "{}", path.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn the_directory_is_owner_only_and_so_are_the_database_its_log_and_the_root_key() {
    use std::os::unix::fs::PermissionsExt;
    let parent = scratch_dir("modes");
    let dir = parent.join("state");
    let store = open(&dir);
    store
        .commit(Commit {
            changes: vec![change(&home(), Row::Key(key(&home(), "k", 1)))],
            ..Commit::default()
        })
        .unwrap();
    let mode = |name: &str| std::fs::metadata(dir.join(name)).unwrap().permissions().mode() & 0o777;
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    // While the store is open its write-ahead log and shared memory exist.
    for name in [DATABASE_FILE, "keyward.db-wal", "keyward.db-shm", ROOT_KEY_FILE] {
        assert_eq!(mode(name), 0o600, "{name}");
    }
    drop(store);
    let _ = std::fs::remove_dir_all(&parent);
}

fn write_owner_only(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}
