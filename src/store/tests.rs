//! The store's parts on their own: where the state lives, how material is
//! bound to its row, and what the root key file must look like.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::root_key::RootKey;
use super::*;
use crate::crypto::{KeyMaterial, MaterialId};

/// A fresh, empty directory under the system's temporary one.
fn scratch_dir(name: &str) -> PathBuf {
    let suffix: String = crate::crypto::random_bytes(6)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let dir = std::env::temp_dir().join(format!("keyward-store-{name}-{suffix}"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

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
    let error = Store::open(&dir).unwrap_err();
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
    Store::open(&dir).unwrap();
    let key = dir.join(ROOT_KEY_FILE);
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
    let error = Store::open(&dir).unwrap_err();
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
    Store::open(&dir).unwrap();
    std::fs::remove_file(dir.join(ROOT_KEY_FILE)).unwrap();
    let error = Store::open(&dir).unwrap_err();
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
    let first = Store::open(&dir).unwrap();
    let first_id = first.root.id;
    drop(first);
    let second = Store::open(&dir).unwrap();
    assert_eq!(second.root.id, first_id);
    let versions: i64 = second
        .connection
        .query_row("SELECT count(*) FROM schema_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(versions, SCHEMA_VERSION);
    assert!(second.load().unwrap().is_none());
    assert_eq!(second.last_event_id().unwrap(), 0);
    assert!(format!("{second:?}").starts_with("Store { dir: "));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_version_1_database_migrates_with_every_key_customer_managed() {
    use crate::kms::runtime::{KeyManager, Runtime, SimulatedClock};
    let dir = scratch_dir("v1");
    let mut rt = Runtime::new("111122223333", "us-east-1", SimulatedClock::at(0));
    let root = crate::eval::Caller::parse("111122223333").unwrap();
    let key = rt.create_key(&root, None, None, false).unwrap();
    let mut store = Store::open(&dir).unwrap();
    store.save(&rt.export(), &[]).unwrap();
    // Back to version 1: no manager column, one migration recorded.
    store
        .connection
        .execute_batch("ALTER TABLE keys DROP COLUMN manager; DELETE FROM schema_version WHERE version > 1;")
        .unwrap();
    drop(store);

    let store = Store::open(&dir).unwrap();
    let state = store.load().unwrap().expect("the saved state");
    assert_eq!(state.keys.len(), 1);
    assert_eq!(
        (state.keys[0].id.as_str(), state.keys[0].manager),
        (key.key_id.as_str(), KeyManager::Customer)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn write_owner_only(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}
