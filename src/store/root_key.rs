//! The root key: 32 random bytes in `root.key` beside the database, readable
//! by its owner only, under which every version of key material is wrapped.
//! Also the owner-only checks the store applies to its files.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::StoreError;
use crate::crypto::{KeyMaterial, MaterialId};

pub(super) const FILE_NAME: &str = "root.key";
const SIZE: u64 = 32;

/// The root key and the id its wrapped blobs carry in their header.
pub(super) struct RootKey {
    pub material: KeyMaterial,
    /// SHA-256 of a label and the key: tells "wrapped under another root
    /// key" apart from "tampered with" without revealing the key.
    pub id: MaterialId,
}

impl RootKey {
    fn new(material: KeyMaterial) -> RootKey {
        let mut hash = Sha256::new();
        hash.update(b"keyward root key id v1\0");
        hash.update(material.expose_for_wrapping().as_slice());
        RootKey {
            id: MaterialId(hash.finalize().into()),
            material,
        }
    }

    /// Reads `dir/root.key`, or creates it when `may_create` (a new store).
    pub fn load_or_create(dir: &Path, may_create: bool, database: &Path) -> Result<RootKey, StoreError> {
        let path = dir.join(FILE_NAME);
        match fs::symlink_metadata(&path) {
            Ok(_) => read(&path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && may_create => create(dir, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::RootKeyMissing {
                database: database.to_owned(),
                root_key: path,
            }),
            Err(e) => Err(StoreError::io("read", &path)(e)),
        }
    }
}

/// Refuses a root key of the wrong size or one that others may read.
fn read(path: &Path) -> Result<RootKey, StoreError> {
    let mut file = File::open(path).map_err(StoreError::io("open", path))?;
    let metadata = file.metadata().map_err(StoreError::io("inspect", path))?;
    owner_only(path, &metadata, 0o600)?;
    if !metadata.is_file() || metadata.len() != SIZE {
        return Err(StoreError::RootKeyInvalid {
            path: path.to_owned(),
            size: metadata.len(),
        });
    }
    let mut bytes = Zeroizing::new([0u8; SIZE as usize]);
    file.read_exact(bytes.as_mut()).map_err(StoreError::io("read", path))?;
    // The length was checked, but the file may have grown since.
    let mut rest = [0u8; 1];
    if file.read(&mut rest).map_err(StoreError::io("read", path))? != 0 {
        return Err(StoreError::RootKeyInvalid {
            path: path.to_owned(),
            size: metadata.len() + 1,
        });
    }
    Ok(RootKey::new(KeyMaterial::from_bytes(*bytes)))
}

/// Writes a fresh root key atomically: a temporary file, written and
/// synced, then linked into place. Linking (a rename that never replaces)
/// means that when two processes create a store at once, one key wins and
/// both use it; a plain rename would let the second replace a key the first
/// has already wrapped material under.
fn create(dir: &Path, path: &Path) -> Result<RootKey, StoreError> {
    let material = KeyMaterial::generate();
    let suffix = crate::crypto::hex(&crate::crypto::random_bytes(8));
    let temporary = dir.join(format!(".{FILE_NAME}.{suffix}.tmp"));
    let written = write_new(&temporary, &material).and_then(|()| match fs::hard_link(&temporary, path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(StoreError::io("create", path)(e)),
    });
    let _ = fs::remove_file(&temporary);
    if !written? {
        return read(path);
    }
    sync_dir(dir)?;
    Ok(RootKey::new(material))
}

fn write_new(path: &Path, material: &KeyMaterial) -> Result<(), StoreError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(StoreError::io("create", path))?;
    file.write_all(material.expose_for_wrapping().as_slice())
        .and_then(|()| file.sync_all())
        .map_err(StoreError::io("write", path))
}

/// Makes a new directory entry durable (a no-op where directories cannot be
/// opened).
pub(super) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(StoreError::io("sync", dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Refuses a file or directory that its group or others may use.
#[cfg(unix)]
pub(super) fn owner_only(path: &Path, metadata: &fs::Metadata, wanted: u32) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(StoreError::Permissions {
            path: path.to_owned(),
            mode,
            wanted,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
pub(super) fn owner_only(_path: &Path, _metadata: &fs::Metadata, _wanted: u32) -> Result<(), StoreError> {
    Ok(())
}
