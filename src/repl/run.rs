//! One statement's command, run: the management and cryptographic commands
//! in their own files, the rest (who, why, when, and the session's own)
//! here.

use std::io::Write;
use std::path::Path;

use super::command::{Command, Expectation, Statement};
use super::diagnostics::ReplError;
use super::session::{endpoint, Ran, Session, Step};
use crate::kms::runtime::{epoch_seconds, rfc3339, AuditFilter, Clock, KeyMetadata};
use crate::suite::Accounts;

pub(super) fn io(e: std::io::Error) -> ReplError {
    ReplError::Failed(format!("cannot write the output: {e}"))
}

pub(super) fn done() -> Result<Ran, ReplError> {
    Ok((Step::Done, None))
}

/// A key in one line: id, state, deletion date, description.
pub(super) fn key_line(m: &KeyMetadata) -> String {
    let deletion = m
        .deletion_date
        .map(|d| format!(" (deleted on {})", rfc3339(epoch_seconds(d))))
        .unwrap_or_default();
    let description = if m.description.is_empty() {
        String::new()
    } else {
        format!("  {}", m.description)
    };
    format!("key {}  {}{deletion}{description}", m.key_id, m.state)
}

impl Session {
    pub(super) fn run(&mut self, statement: &Statement, out: &mut impl Write) -> Result<Ran, ReplError> {
        match &statement.command {
            Command::KeyCreate { .. }
            | Command::KeyList
            | Command::KeyDescribe(_)
            | Command::KeyEnable(_)
            | Command::KeyDisable(_)
            | Command::KeyScheduleDeletion { .. }
            | Command::KeyCancelDeletion(_)
            | Command::KeyRotate(_)
            | Command::KeyEnableRotation { .. }
            | Command::KeyDisableRotation(_)
            | Command::KeyRotations(_)
            | Command::AliasCreate { .. }
            | Command::AliasUpdate { .. }
            | Command::AliasDelete(_)
            | Command::AliasList(_)
            | Command::PolicyGet(_)
            | Command::PolicyPut { .. }
            | Command::GrantCreate { .. }
            | Command::GrantList(_)
            | Command::GrantRevoke { .. }
            | Command::GrantRetire(_) => self.manage(statement, out),
            Command::Encrypt { .. }
            | Command::Decrypt { .. }
            | Command::ReEncrypt { .. }
            | Command::GenerateDataKey { .. }
            | Command::Seal { .. }
            | Command::Open { .. }
            | Command::Call { .. } => self.crypto(statement, out),
            _ => self.inspect(statement, out),
        }
    }

    /// Who is calling, why a decision came out so, the clock, the audit
    /// log, linting, kept results, expectations and help.
    fn inspect(&mut self, statement: &Statement, out: &mut impl Write) -> Result<Ran, ReplError> {
        let line = &statement.line;
        let caller = self.caller.clone();
        match &statement.command {
            Command::Accounts(path) => {
                let path = self.text(path, line)?;
                let accounts = Accounts::load(Path::new(&path))
                    .map_err(|e| ReplError::Failed(format!("{:?}", miette::Report::new(e))))?;
                self.runtime.identities = accounts.identities.clone();
                if let Some(partner) = &mut self.partner {
                    partner.identities = accounts.identities.clone();
                }
                self.loaded_identities = Some(accounts.identities);
                self.names = accounts.names;
                self.sources = accounts.sources;
                let names: Vec<&str> = self.names.keys().map(String::as_str).collect();
                writeln!(out, "principals: {}", names.join(", ")).map_err(io)?;
                done()
            }
            Command::As { principal, via } => {
                let mut who = self.principal(principal, line)?;
                if let Some(service) = via {
                    who = who.via(endpoint(&self.text(service, line)?, &self.runtime.region));
                }
                self.caller = who;
                writeln!(out, "acting as {}", self.describe_caller()).map_err(io)?;
                done()
            }
            Command::Whoami => {
                writeln!(out, "{}", self.describe_caller()).map_err(io)?;
                done()
            }
            Command::Simulate {
                action,
                key,
                principal,
                via,
                context,
            } => {
                let key_id = self.key(key, line)?;
                let mut who = match principal {
                    Some(p) => self.principal(p, line)?,
                    None => caller,
                };
                if let Some(service) = via {
                    who = who.via(endpoint(&self.text(service, line)?, &self.runtime.region));
                }
                let action = if action.contains(':') {
                    action.clone()
                } else {
                    format!("kms:{action}")
                };
                let decided = self.decide(&who, &action, &key_id, context, &[])?;
                let decision = decided.authorization.decision;
                out.write_all(self.render(&decided, false).as_bytes()).map_err(io)?;
                self.last = Some(decided);
                Ok((Step::Decided(decision), None))
            }
            Command::Explain => {
                let text = match &self.last {
                    Some(decided) => self.render(decided, true),
                    None => "nothing to explain yet: use a key, or `simulate`\n".to_owned(),
                };
                out.write_all(text.as_bytes()).map_err(io)?;
                done()
            }
            Command::ClockShow => {
                writeln!(out, "{}", rfc3339(self.runtime.clock.now())).map_err(io)?;
                done()
            }
            Command::ClockSet { time, span } => {
                let seconds = super::clock::parse_time(time).ok_or_else(|| {
                    ReplError::invalid(
                        line,
                        *span,
                        format!("`{time}` is not a time"),
                        "not a time",
                        Some("write `2026-01-31T12:00:00Z` or `2026-01-31`".into()),
                    )
                })?;
                self.runtime.clock.set(seconds);
                self.runtime.sweep();
                writeln!(out, "{}", rfc3339(self.runtime.clock.now())).map_err(io)?;
                done()
            }
            Command::ClockAdvance { seconds } => {
                self.runtime.clock.advance(*seconds);
                self.runtime.sweep();
                writeln!(out, "{}", rfc3339(self.runtime.clock.now())).map_err(io)?;
                done()
            }
            Command::Audit(count) => {
                let filter = AuditFilter::default();
                let mut records: Vec<serde_json::Value> = self
                    .audit(&filter)
                    .map_err(|e| ReplError::Failed(format!("{:?}", miette::Report::new(e))))?;
                records.extend(
                    self.runtime
                        .audit
                        .list(&filter)
                        .iter()
                        .filter_map(|r| serde_json::to_value(r).ok()),
                );
                let skip = records.len().saturating_sub(count.unwrap_or(10));
                for r in &records[skip..] {
                    writeln!(
                        out,
                        "{}  {}  {}  {}",
                        r["eventTime"].as_str().unwrap_or(""),
                        r["eventName"].as_str().unwrap_or(""),
                        r["userIdentity"]["arn"].as_str().unwrap_or(""),
                        r["errorCode"].as_str().unwrap_or("OK")
                    )
                    .map_err(io)?;
                }
                done()
            }
            Command::Lint(path) => {
                let path = self.text(path, line)?;
                let passes = super::lint::run(Path::new(&path), self.colour, out).map_err(ReplError::Failed)?;
                if !passes {
                    return Err(ReplError::Failed(format!("`{path}` has errors or security findings")));
                }
                done()
            }
            Command::Show { name, span, reveal } => {
                let value = self.variable(name, *span, line)?;
                let text = value.show(*reveal);
                writeln!(out, "{}", text.as_str()).map_err(io)?;
                done()
            }
            Command::Expect(expected) => {
                let found = self.last_outcome.unwrap_or(Expectation::Allow);
                if found == *expected {
                    return done();
                }
                Err(ReplError::Expectation {
                    expected: expected.as_str(),
                    found: found.as_str(),
                })
            }
            Command::Help(topic) => {
                out.write_all(super::help::text(topic.as_deref()).as_bytes())
                    .map_err(io)?;
                done()
            }
            Command::Exit => Ok((Step::Exit, None)),
            _ => done(),
        }
    }
}
