//! Who has a state directory open, so that a process kept waiting can say
//! who holds it. Every open [`SqliteStore`](super::SqliteStore) writes
//! `keyward.lock.<pid>-<n>` beside the database: its process id and command
//! (`1234 keyward serve`), owner-only, and holds an advisory lock on the
//! file until the store is dropped, when the file is removed. Several
//! processes may share a directory, so there is one file per open store. A
//! file whose lock nobody holds was left by a process that died (`kill
//! -9`): it is stale, and the next reader removes it, so a reused process
//! id is never named.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The holder files' name before `<pid>-<n>`.
pub const PREFIX: &str = "keyward.lock.";

/// This process's holder file, locked until dropped.
#[derive(Debug)]
pub(super) struct Holding {
    path: PathBuf,
    file: File,
}

impl Holding {
    /// Writes and locks this process's holder file in `dir`. `None` when it
    /// cannot be written: the store works without it, and a waiting process
    /// then says "another keyward process".
    pub fn take(dir: &Path) -> Option<Holding> {
        static OPENED: AtomicU64 = AtomicU64::new(0);
        let pid = std::process::id();
        let n = OPENED.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("{PREFIX}{pid}-{n}"));
        // Written and locked under another name, then renamed: a reader
        // never sees the file unlocked and takes it for stale.
        let new = dir.join(format!("keyward.lock-new.{pid}-{n}"));
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&new).ok()?;
        let written =
            file.try_lock().is_ok() && writeln!(file, "{pid} {}", command()).is_ok() && fs::rename(&new, &path).is_ok();
        if !written {
            let _ = fs::remove_file(&new);
            return None;
        }
        Some(Holding { path, file })
    }
}

impl Drop for Holding {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// The other live processes that have `dir` open, as `process 1234
/// (keyward serve)`; stale files are removed on the way.
pub(super) fn others(dir: &Path) -> Vec<String> {
    let own = format!("{PREFIX}{}-", std::process::id());
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut holders: Vec<(u32, String)> = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with(PREFIX) || name.starts_with(&own) {
            continue;
        }
        let path = entry.path();
        let Ok(file) = File::open(&path) else {
            continue;
        };
        match file.try_lock() {
            // Nobody holds it: its process died without removing it.
            Ok(()) => {
                let _ = fs::remove_file(&path);
                let _ = file.unlock();
                continue;
            }
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(_)) => continue,
        }
        let mut text = String::new();
        if file.take(4096).read_to_string(&mut text).is_err() {
            continue;
        }
        let (pid, command) = text.trim_end().split_once(' ').unwrap_or((text.trim_end(), ""));
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let described = if command.is_empty() {
            format!("process {pid}")
        } else {
            format!("process {pid} ({command})")
        };
        if !holders.iter().any(|(p, d)| *p == pid && *d == described) {
            holders.push((pid, described));
        }
    }
    holders.sort();
    holders.into_iter().map(|(_, described)| described).collect()
}

/// This process's command, without anything a flag gives: the program's
/// file name and the subcommand words that lead its arguments
/// (`keyward serve`, `keyward key create`), so no value (a plaintext given
/// inline, say) is written to the state directory.
fn command() -> String {
    describe(std::env::args())
}

fn describe(mut args: impl Iterator<Item = String>) -> String {
    let program = args
        .next()
        .map(|arg0| {
            Path::new(&arg0)
                .file_name()
                .map_or(arg0.clone(), |name| name.to_string_lossy().into_owned())
        })
        .unwrap_or_default();
    let word = |arg: &String| {
        arg.len() <= 40
            && arg.starts_with(|c: char| c.is_ascii_lowercase())
            && arg
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    let words: Vec<String> = args.take_while(word).take(3).collect();
    std::iter::once(program)
        .chain(words)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> impl Iterator<Item = String> {
        words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>().into_iter()
    }

    #[test]
    fn the_command_names_the_program_and_its_subcommands_but_no_value() {
        assert_eq!(
            describe(args(&["/usr/bin/keyward", "serve", "--state", "/s"])),
            "keyward serve"
        );
        assert_eq!(
            describe(args(&["keyward", "key", "create", "--description", "x"])),
            "keyward key create"
        );
        assert_eq!(
            describe(args(&["keyward", "encrypt", "--plaintext", "secret"])),
            "keyward encrypt"
        );
        assert_eq!(describe(args(&["keyward", "--state", "dir", "encrypt"])), "keyward");
    }

    #[test]
    fn a_live_holder_is_named_and_a_stale_file_is_removed() {
        let dir = std::env::temp_dir().join(format!("keyward-holder-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        // A file left by a process that died: nobody holds its lock.
        let stale = dir.join(format!("{PREFIX}4194000-0"));
        fs::write(&stale, "4194000 keyward serve\n").unwrap();
        // A live holder: another process's file, locked (by this one here).
        let live = dir.join(format!("{PREFIX}4194001-0"));
        fs::write(&live, "4194001 keyward serve\n").unwrap();
        let lock = File::open(&live).unwrap();
        lock.try_lock().unwrap();
        assert_eq!(others(&dir), vec!["process 4194001 (keyward serve)".to_owned()]);
        assert!(!stale.exists(), "the stale file is removed");
        // This process's own file is never named, and goes when dropped.
        let own = Holding::take(&dir).unwrap();
        assert_eq!(others(&dir).len(), 1);
        let own_path = own.path.clone();
        assert!(own_path.exists());
        drop(own);
        assert!(!own_path.exists());
        drop(lock);
        let _ = fs::remove_dir_all(&dir);
    }
}
