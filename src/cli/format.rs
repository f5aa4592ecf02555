//! `keyward fmt`: print documents in canonical form, `--check` them or
//! `--write` them back. A document with problems is never rewritten.

use std::io::Write;
use std::path::Path;

use keyward::json::Limits;
use keyward::policy::{fmt::to_canonical_json, Document};

use super::args::FmtArgs;
use super::inputs::{self, Input, Loaded};
use super::{render, Outcome};

pub fn run(args: &FmtArgs) -> Outcome {
    let inputs = match inputs::expand(&args.paths) {
        Ok(inputs) => inputs,
        Err(message) => {
            eprintln!("error: {message}");
            return Outcome::Failure;
        }
    };
    let limits = Limits::default();
    let mut outcome = Outcome::Success;
    for input in &inputs {
        outcome = outcome.max(one(input, args, &limits));
    }
    outcome
}

fn one(input: &Input, args: &FmtArgs, limits: &Limits) -> Outcome {
    let source = match inputs::load(input, limits) {
        Err(message) => {
            eprintln!("error: {message}");
            return Outcome::Failure;
        }
        Ok(Loaded::Rejected(errors)) => {
            let _ = render::problems(&mut std::io::stderr().lock(), &errors, false);
            return Outcome::Problems;
        }
        Ok(Loaded::Text(source)) => source,
    };
    let document = match Document::parse_with(&source, args.kind.kind.document_kind(), limits) {
        Ok(document) => document,
        Err(errors) => {
            let _ = render::problems(&mut std::io::stderr().lock(), &errors, false);
            return Outcome::Problems;
        }
    };
    let canonical = to_canonical_json(&document);
    let unchanged = canonical == source.text();
    match (args.check, args.write, input) {
        (true, _, _) if unchanged => Outcome::Success,
        (true, _, _) => {
            println!("would reformat {}", input.display_name());
            Outcome::Problems
        }
        (false, true, Input::File(path)) if !unchanged => match write_atomically(path, &canonical) {
            Ok(()) => {
                eprintln!("formatted {}", path.display());
                Outcome::Success
            }
            Err(e) => {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                Outcome::Failure
            }
        },
        (false, true, Input::File(_)) => Outcome::Success,
        // `--write` on stdin, and plain `fmt`, print the result.
        _ => match std::io::stdout().lock().write_all(canonical.as_bytes()) {
            Ok(()) => Outcome::Success,
            Err(_) => Outcome::Failure,
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
