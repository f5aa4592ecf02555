//! `lint FILE`: the linter's findings on a policy or grant document,
//! rendered with their spans, as `keyward lint FILE` reports them: the
//! nearest `keyward.toml` from the current folder up configures it, and an
//! error fails the statement (security findings, warnings and suggestions
//! are shown without failing it).

use std::io::Write;
use std::path::Path;

use miette::{GraphicalReportHandler, GraphicalTheme};

use crate::lint::{self, Config, Linter, Severity};
use crate::source::Source;

/// Writes every finding of the document at `path`; `Ok(false)` when one is
/// an error.
pub fn run(path: &Path, colour: bool, out: &mut impl Write) -> Result<bool, String> {
    let text = super::operands::read_text(path)?;
    let source = Source::new(path.display().to_string(), text.as_str());
    let findings = Linter::new(config()?).lint(&source, None);
    let theme = if colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    let mut rendered = String::new();
    for finding in &findings {
        let _ = handler.render_report(&mut rendered, &finding.diagnosed(&source));
    }
    let write = |e: std::io::Error| format!("cannot write the output: {e}");
    out.write_all(rendered.as_bytes()).map_err(write)?;
    let passes = !lint::fails(&findings, Severity::Error);
    let n = findings.len();
    if passes {
        let found = match n {
            0 => "no findings".to_owned(),
            1 => "1 finding, no errors".to_owned(),
            n => format!("{n} findings, no errors"),
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
