//! `keyward fmt`: print documents in canonical form, `--check` them or
//! `--write` them back. A document with problems is never rewritten.

use std::io::Write;
use std::path::Path;

use keyward::json::Limits;
use keyward::policy::{fmt::to_canonical_json, Document};

use super::args::FmtArgs;
use super::inputs::{self, Input, Loaded};
use super::{render, Exit};

pub fn run(args: &FmtArgs) -> Exit {
    let inputs = match inputs::expand(&args.paths) {
        Ok(inputs) => inputs,
        Err(message) => {
            eprintln!("error: {message}");
            return Exit::Failure;
        }
    };
    let limits = Limits::default();
    let mut outcome = Exit::Success;
    for input in &inputs {
        outcome = outcome.max(one(input, args, &limits));
    }
    outcome
}

fn one(input: &Input, args: &FmtArgs, limits: &Limits) -> Exit {
    let source = match inputs::load(input, limits) {
        Err(message) => {
            eprintln!("error: {message}");
            return Exit::Failure;
        }
        Ok(Loaded::Rejected(errors)) => {
            let _ = render::problems(&mut std::io::stderr().lock(), &errors, false);
            return Exit::Problems;
        }
        Ok(Loaded::Text(source)) => source,
    };
    let document = match Document::parse_with(&source, args.kind.kind.document_kind(), limits) {
        Ok(document) => document,
        Err(errors) => {
            let _ = render::problems(&mut std::io::stderr().lock(), &errors, false);
            return Exit::Problems;
        }
    };
    let canonical = to_canonical_json(&document);
    let unchanged = canonical == source.text();
    match (args.check, args.write, input) {
        (true, _, _) if unchanged => Exit::Success,
        (true, _, _) => {
            outln!("would reformat {}", input.display_name());
            Exit::Problems
        }
        (false, true, Input::File(path)) if !unchanged => match write_atomically(path, &canonical) {
            Ok(()) => {
                eprintln!("formatted {}", path.display());
                Exit::Success
            }
            Err(e) => {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                Exit::Failure
            }
        },
        (false, true, Input::File(_)) => Exit::Success,
        // `--write` on stdin, and plain `fmt`, print the result.
        _ => match std::io::stdout().lock().write_all(canonical.as_bytes()) {
            Ok(()) => Exit::Success,
            Err(e) => {
                super::pipe::closed(&e);
                Exit::Failure
            }
        },
    }
}

/// Writes beside the file and renames over it, so a crash leaves either the
/// old or the new text, never half of one.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.keyward-fmt.tmp"));
    let result = std::fs::write(&temp, text).and_then(|()| {
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&temp, meta.permissions())?;
        }
        std::fs::rename(&temp, path)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
