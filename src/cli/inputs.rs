//! Turning path arguments into documents: folders are walked for `*.json`,
//! `-` is stdin, and a file is read only up to the size limit.

use std::path::{Path, PathBuf};

use keyward::json::{self, JsonError, Limits};
use keyward::policy::{PolicyError, PolicyErrors};
use keyward::source::read::{self, ReadError};
use keyward::source::{Source, Span};

/// A path that names a document to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    pub fn display_name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_owned(),
            Input::File(path) => path.display().to_string(),
        }
    }
}

/// Expands the arguments; an unreadable path is an I/O error (exit 2).
pub fn expand(paths: &[PathBuf]) -> Result<Vec<Input>, String> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(path, &|p| p.extension().is_some_and(|e| e == "json"), &mut found)
                .map_err(|e| format!("cannot read folder `{}`: {e}", path.display()))?;
            found.sort();
            inputs.extend(found.into_iter().map(Input::File));
        } else {
            inputs.push(Input::File(path.clone()));
        }
    }
    Ok(inputs)
}

/// Collects the files below `dir` that `wanted` accepts; symbolic links to
/// folders are not followed.
pub fn walk(dir: &Path, wanted: &dyn Fn(&Path) -> bool, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, wanted, found)?;
        } else if wanted(&path) {
            found.push(path);
        }
    }
    Ok(())
}

/// A document's text, or the reason it cannot be a document.
pub enum Loaded {
    Text(Source),
    /// Read, but not a JSON text (too large, not UTF-8): already a diagnostic.
    Rejected(PolicyErrors),
}

/// Reads through the bounded reader (at most one byte more than the
/// limit), so a huge file is refused without being read whole. `Err` is an
/// I/O error.
pub fn load(input: &Input, limits: &Limits) -> Result<Loaded, String> {
    let name = input.display_name();
    let path = match input {
        Input::Stdin => Path::new("-"),
        Input::File(path) => path.as_path(),
    };
    let bytes = match read::bytes(path, read::Kind::Policy) {
        Ok(bytes) => bytes,
        Err(ReadError::TooLarge { limit, .. }) => {
            let size = match input {
                Input::File(path) => std::fs::metadata(path).map_or(limit as usize + 1, |m| m.len() as usize),
                Input::Stdin => limit as usize + 1,
            };
            let error = JsonError::TooLarge {
                size,
                limit: limits.max_bytes.min(limit as usize),
                span: Span::at(0).into(),
            };
            return Ok(Loaded::Rejected(rejected(Source::new(name, ""), error)));
        }
        Err(error) => return Err(error.to_string()),
    };
    match json::decode(&bytes) {
        Ok(text) => Ok(Loaded::Text(Source::new(name, text))),
        Err(JsonError::InvalidUtf8 { offset, .. }) => {
            // The text before the first bad byte is intact, so the offset
            // still points at it; there it became U+FFFD, three bytes long.
            let lossy = String::from_utf8_lossy(&bytes).into_owned();
            let span = Span::new(offset, offset + '\u{fffd}'.len_utf8()).into();
            Ok(Loaded::Rejected(rejected(
                Source::new(name, lossy),
                JsonError::InvalidUtf8 { offset, span },
            )))
        }
        Err(error) => Ok(Loaded::Rejected(rejected(
            Source::new(name, String::from_utf8_lossy(&bytes).into_owned()),
            error,
        ))),
    }
}

fn rejected(src: Source, error: JsonError) -> PolicyErrors {
    PolicyErrors {
        src,
        errors: vec![PolicyError::Json(error)],
    }
}
