//! `lint FILE`: the linter's findings on a policy or grant document,
//! rendered with their spans, as `keyward lint FILE` reports them: the
//! nearest `keyward.toml` from the current folder up configures it, and an
//! error or security finding fails the statement, as `keyward lint` fails
//! by default (warnings and suggestions are shown without failing it).

use std::io::Write;
use std::path::Path;

use miette::GraphicalTheme;

use crate::lint::{self, Config, Linter, Severity};
use crate::source::{report_handler, Source};

/// The lowest severity that fails the statement: `keyward lint`'s default
/// `--fail-on security`.
const FAILS_ON: Severity = Severity::Security;

/// Writes every finding of the document at `path`; `Ok(false)` when one is
/// an error or a security finding.
pub fn run(path: &Path, colour: bool, out: &mut impl Write) -> Result<bool, String> {
    let text = super::operands::read_text(path)?;
    let source = Source::new(path.display().to_string(), text.as_str());
    let linted = Linter::new(config()?).lint_file(&source, None);
    let findings = linted.findings;
    let theme = if colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = report_handler(theme, 1);
    let mut rendered = String::new();
    for finding in &findings {
        let _ = handler.render_report(&mut rendered, &finding.diagnosed(&source));
    }
    let write = |e: std::io::Error| format!("cannot write the output: {e}");
    out.write_all(rendered.as_bytes()).map_err(write)?;
    if let Some(note) = &linted.note {
        writeln!(out, "note: `{}` {note}", path.display()).map_err(write)?;
    }
    let passes = !lint::fails(&findings, FAILS_ON);
    let n = findings.len();
    if passes {
        let found = match n {
            0 => "no findings".to_owned(),
            1 => "1 finding, no errors or security findings".to_owned(),
            n => format!("{n} findings, no errors or security findings"),
        };
        writeln!(out, "`{}`: {found}", path.display()).map_err(write)?;
    }
    Ok(passes)
}

/// The nearest `keyward.toml` from the current folder up, as `keyward lint` reads it.
fn config() -> Result<Config, String> {
    let found = std::env::current_dir().ok().and_then(|cwd| {
        cwd.ancestors()
            .map(|dir| dir.join("keyward.toml"))
            .find(|p| p.is_file())
    });
    let Some(path) = found else {
        return Ok(Config::default());
    };
    let text = crate::source::read::text(&path, crate::source::read::Kind::Config).map_err(|e| e.to_string())?;
    Config::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}
