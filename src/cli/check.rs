//! `keyward check`: read every document, report every problem.

use keyward::eval::CompiledPolicy;
use keyward::json::Limits;
use keyward::policy::Document;

use super::args::{CheckArgs, Format};
use super::inputs::{self, Loaded};
use super::{render, Exit};

pub fn run(args: &CheckArgs) -> Exit {
    let inputs = match inputs::expand(&args.paths) {
        Ok(inputs) => inputs,
        Err(message) => {
            eprintln!("error: {message}");
            return Exit::Failure;
        }
    };
    let limits = Limits::default();
    let json = args.format == Format::Json;
    let mut stdout = std::io::stdout().lock();
    let (mut outcome, mut failed, mut invalid) = (Exit::Success, 0, 0);
    for input in &inputs {
        let source = match inputs::load(input, &limits) {
            Err(message) => {
                eprintln!("error: {message}");
                outcome = outcome.max(Exit::Failure);
                failed += 1;
                continue;
            }
            Ok(Loaded::Rejected(errors)) => Err(errors),
            Ok(Loaded::Text(source)) => Ok(source),
        };
        let written = match source {
            Err(errors) => Some(render::problems(&mut stdout, &errors, json)),
            Ok(source) => match Document::parse_with(&source, args.kind.kind.document_kind(), &limits) {
                Err(errors) => Some(render::problems(&mut stdout, &errors, json)),
                // Condition values must make sense for their operators too:
                // what `simulate` would refuse, `check` reports.
                Ok(Document::Policy(policy)) => match CompiledPolicy::compile(source.name(), &policy) {
                    Err(errors) => {
                        let each: Vec<&dyn miette::Diagnostic> =
                            errors.iter().map(|e| e as &dyn miette::Diagnostic).collect();
                        Some(render::diagnostics(&mut stdout, &source, &each, json))
                    }
                    Ok(_) => None,
                },
                Ok(Document::Grants(_)) => None,
            },
        };
        if let Some(result) = written {
            invalid += 1;
            outcome = outcome.max(Exit::Problems);
            if let Err(e) = result {
                super::pipe::closed(&e);
                return Exit::Failure;
            }
        }
    }
    if !json {
        let checked = inputs.len() - failed;
        let summary = match invalid {
            0 => format!("checked {checked} {}: no problems", plural(checked, "document")),
            n => format!("checked {checked} {}: {n} with problems", plural(checked, "document")),
        };
        eprintln!("{summary}");
    }
    outcome
}

pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}
