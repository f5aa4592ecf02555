//! An [`Authorization`] in words: the decision, the sentence that says why,
//! the deciding statements underlined in their policy sources, the context
//! keys the request lacked, and (with `--explain`) every statement's fate.

use std::fmt::Write as _;

use crate::eval::TraceEntry;
use crate::kms::Authorization;
use crate::source::report_handler;
use crate::suite::Sources;
use miette::{Diagnostic, GraphicalTheme, LabeledSpan, Severity};

/// The deciding statements of one policy, as a report miette can render.
#[derive(Debug)]
struct Deciding {
    message: String,
    severity: Severity,
    src: miette::NamedSource<crate::source::Source>,
    labels: Vec<LabeledSpan>,
}

impl std::fmt::Display for Deciding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Deciding {}

impl Diagnostic for Deciding {
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

pub fn text(authorization: &Authorization, sources: &Sources, colour: bool, explain: bool) -> String {
    let mut out = String::new();
    let path = authorization
        .path
        .map(|p| format!(" (via {})", p.as_str()))
        .unwrap_or_default();
    let _ = writeln!(out, "decision: {}{path}", authorization.decision);
    let _ = writeln!(out, "{}", authorization.summary);
    let theme = if colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = report_handler(theme, 1);
    // Each policy once, in the order its first reason appears.
    let mut policies: Vec<&str> = Vec::new();
    for reason in &authorization.reasons {
        if !policies.contains(&reason.policy.as_str()) {
            policies.push(&reason.policy);
        }
    }
    for policy in policies {
        let Some(source) = sources.get(policy) else {
            continue;
        };
        let labels = authorization
            .reasons
            .iter()
            .filter(|r| r.policy == policy)
            .filter_map(|r| {
                let span = r.span?;
                let name = r.sid.as_ref().map_or_else(
                    || format!("statement {}", r.statement.unwrap_or(0)),
                    |s| format!("`{s}`"),
                );
                let verb = match (r.effect, r.note) {
                    (crate::policy::Effect::Allow, _) => "allows".to_owned(),
                    (_, Some(note)) => format!("denies: {}", note.describe()),
                    (_, None) => "denies".to_owned(),
                };
                // Underline the statement's first line (its first member when
                // the `{` stands alone); the whole object would fill the screen.
                let text = &source.text()[span.start..span.end];
                let line_end = |from: usize| text[from..].find('\n').map_or(text.len(), |i| from + i);
                let first = line_end(0);
                let end = if text[..first].trim() == "{" && first < text.len() {
                    line_end(first + 1)
                } else {
                    first
                };
                let end = span.start + end;
                Some(LabeledSpan::new(
                    Some(format!("{name} {verb}")),
                    span.start,
                    end - span.start,
                ))
            })
            .collect();
        let severity = if authorization.decision == crate::eval::Decision::Allow {
            Severity::Advice
        } else {
            Severity::Error
        };
        let report = Deciding {
            message: format!("deciding statements in {policy}"),
            severity,
            src: source.to_named_source(),
            labels,
        };
        let _ = handler.render_report(&mut out, &report);
        out.push('\n');
    }
    for grant in authorization.reasons.iter().filter(|r| r.grant_id.is_some()) {
        let name = authorization
            .grants
            .iter()
            .find(|g| g.grant_id == grant.grant_id)
            .and_then(|g| g.name.as_deref())
            .map(|n| format!(" (`{n}`)"))
            .unwrap_or_default();
        let _ = writeln!(out, "  grant {}{name} allows", grant.grant_id.as_deref().unwrap_or(""));
    }
    if !authorization.missing_context_keys.is_empty() {
        let _ = writeln!(
            out,
            "missing context keys: {}",
            authorization.missing_context_keys.join(", ")
        );
    }
    if explain {
        if let Some(trace) = &authorization.trace {
            let _ = writeln!(out, "trace:");
            for note in &trace.guardrails {
                let _ = writeln!(out, "  note: {}", note.describe());
            }
            for entry in &trace.entries {
                let sid = entry.sid.as_ref().map(|s| format!(" `{s}`")).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  {} statement {}{sid} ({}): {}",
                    entry.policy,
                    entry.statement,
                    entry.effect,
                    outcome(entry)
                );
            }
        }
        for grant in &authorization.grants {
            let id = grant.grant_id.as_deref().unwrap_or("(no id)");
            let name = grant.name.as_ref().map(|n| format!(" `{n}`")).unwrap_or_default();
            let _ = match &grant.outcome {
                Ok(()) => writeln!(out, "  grant {id}{name}: applies"),
                Err(why) => writeln!(out, "  grant {id}{name}: does not apply: {why}"),
            };
        }
    }
    out
}

fn outcome(entry: &TraceEntry) -> String {
    match entry.note {
        Some(note) => format!("{} ({})", entry.outcome.describe(), note.describe()),
        None => entry.outcome.describe(),
    }
}

/// The JSON form `keyward simulate --format json` prints.
pub fn json(authorization: &Authorization) -> serde_json::Value {
    let reasons: Vec<serde_json::Value> = authorization
        .reasons
        .iter()
        .map(|r| {
            let mut reason = serde_json::json!({
                "policy": r.policy,
                "statement": r.statement,
                "sid": r.sid,
                "effect": r.effect.as_str(),
            });
            if let Some(id) = &r.grant_id {
                reason["grant_id"] = serde_json::Value::String(id.clone());
            }
            if let Some(note) = r.note {
                reason["note"] = serde_json::json!({"code": note.code(), "message": note.describe()});
            }
            reason
        })
        .collect();
    serde_json::json!({
        "decision": authorization.decision.as_str(),
        "path": authorization.path.map(|p| p.as_str()),
        "why": authorization.why,
        "reasons": reasons,
        "missing_context_keys": authorization.missing_context_keys,
        "summary": authorization.summary,
    })
}
