//! `keyward check`: read every document, report every problem.

use keyward::json::Limits;
use keyward::policy::{Document, PolicyErrors};

use super::args::{CheckArgs, Format};
use super::inputs::{self, Loaded};
use super::{render, Outcome};

pub fn run(args: &CheckArgs) -> Outcome {
    let inputs = match inputs::expand(&args.paths) {
        Ok(inputs) => inputs,
        Err(message) => {
            eprintln!("error: {message}");
            return Outcome::Failure;
        }
    };
    let limits = Limits::default();
    let json = args.format == Format::Json;
    let mut stdout = std::io::stdout().lock();
    let (mut outcome, mut failed, mut invalid) = (Outcome::Success, 0, 0);
    for input in &inputs {
        let problems: Option<PolicyErrors> = match inputs::load(input, &limits) {
            Err(message) => {
                eprintln!("error: {message}");
                outcome = outcome.max(Outcome::Failure);
                failed += 1;
                continue;
            }
            Ok(Loaded::Rejected(errors)) => Some(errors),
            Ok(Loaded::Text(source)) => Document::parse_with(&source, args.kind.kind.document_kind(), &limits).err(),
        };
        if let Some(errors) = problems {
            invalid += 1;
            outcome = outcome.max(Outcome::Problems);
            if render::problems(&mut stdout, &errors, json).is_err() {
                return Outcome::Failure;
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
