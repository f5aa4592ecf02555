//! What a command's operands stand for: a kept `$name` of the right kind,
//! a key, a ciphertext in base64, a plaintext, a grant, a principal by
//! short name or ARN, a policy inline or in a file. A wrong one is pointed
//! at in the line.

use std::path::Path;

use zeroize::Zeroizing;

use super::command::{CryptoOptions, Operand, Written};
use super::diagnostics::{Line, ReplError};
use super::session::Session;
use super::value::Value;
use crate::eval::Caller;
use crate::policy::suggest;
use crate::source::Span;

impl Session {
    pub(super) fn variable(&self, name: &str, span: Span, line: &Line) -> Result<&Value, ReplError> {
        self.results.get(name).ok_or_else(|| {
            let names: Vec<&str> = self.results.keys().map(String::as_str).collect();
            let help = match suggest::closest(name, names.iter().copied()) {
                Some(n) => format!("did you mean `${n}`?"),
                None if names.is_empty() => "keep a result with `let NAME = COMMAND`".to_owned(),
                None => format!("the results kept are {}", suggest::list(&names)),
            };
            let help = Some(help);
            ReplError::invalid(
                line,
                span,
                format!("no result is named `${name}`"),
                "unknown name",
                help,
            )
        })
    }

    /// An operand used as `what`, through `pick` when it is a kept result.
    pub(super) fn resolve<T>(
        &self,
        operand: &Operand,
        line: &Line,
        what: &str,
        text: impl FnOnce(&str) -> Option<T>,
        pick: impl FnOnce(&Value) -> Option<T>,
    ) -> Result<T, ReplError> {
        let wrong = |found: &str| {
            ReplError::invalid(
                line,
                operand.span,
                format!("this is {found}, not {what}"),
                &format!("{what} is needed here"),
                None,
            )
        };
        match &operand.value {
            Written::Variable(name) => {
                let value = self.variable(name, operand.span, line)?;
                pick(value).ok_or_else(|| wrong(value.kind()))
            }
            Written::Text(t) | Written::Json(t) => text(t).ok_or_else(|| wrong("not usable")),
        }
    }

    pub(super) fn key(&self, operand: &Operand, line: &Line) -> Result<String, ReplError> {
        self.resolve(operand, line, "a key", |t| Some(t.to_owned()), Value::key_id)
    }

    pub(super) fn text(&self, operand: &Operand, line: &Line) -> Result<String, ReplError> {
        self.resolve(
            operand,
            line,
            "a text",
            |t| Some(t.to_owned()),
            |v| match v {
                Value::Text(t) => Some(t.clone()),
                other => other.key_id(),
            },
        )
    }

    pub(super) fn ciphertext(&self, operand: &Operand, line: &Line) -> Result<Vec<u8>, ReplError> {
        use base64::Engine as _;
        self.resolve(
            operand,
            line,
            "a ciphertext",
            |t| base64::engine::general_purpose::STANDARD.decode(t.trim()).ok(),
            |v| v.ciphertext().map(<[u8]>::to_vec),
        )
    }

    /// What `seal` made: an envelope's bytes.
    pub(super) fn sealed(&self, operand: &Operand, line: &Line) -> Result<Vec<u8>, ReplError> {
        self.resolve(
            operand,
            line,
            "an envelope",
            |_| None,
            |v| match v {
                Value::Sealed(b) => Some(b.clone()),
                _ => None,
            },
        )
    }

    pub(super) fn plaintext(&self, operand: &Operand, line: &Line) -> Result<Zeroizing<Vec<u8>>, ReplError> {
        self.resolve(
            operand,
            line,
            "a plaintext",
            |t| Some(Zeroizing::new(t.as_bytes().to_vec())),
            Value::plaintext,
        )
    }

    pub(super) fn grant(&self, operand: &Operand, line: &Line, token: bool) -> Result<String, ReplError> {
        let what = if token { "a grant token" } else { "a grant id" };
        self.resolve(operand, line, what, |t| Some(t.to_owned()), |v| v.grant(token))
    }

    pub(super) fn tokens(&self, options: &CryptoOptions, line: &Line) -> Result<Vec<String>, ReplError> {
        options.grant_tokens.iter().map(|t| self.grant(t, line, true)).collect()
    }

    /// A principal ARN or a short name from the accounts file.
    pub(super) fn principal(&self, operand: &Operand, line: &Line) -> Result<Caller, ReplError> {
        let who = self.text(operand, line)?;
        let arn = self.names.get(&who).map_or(who.as_str(), String::as_str);
        Caller::parse(arn).map_err(|e| {
            let names: Vec<&str> = self.names.keys().map(String::as_str).collect();
            let help = match suggest::closest(&who, names.iter().copied()) {
                Some(name) => Some(format!("did you mean `{name}`?")),
                None if names.is_empty() => {
                    Some("give a principal ARN, or load an accounts file with `--accounts`".into())
                }
                None => Some(format!("the accounts file names {}", suggest::list(&names))),
            };
            ReplError::invalid(
                line,
                operand.span,
                format!("`{who}` is not a principal: {e}"),
                "not a principal",
                help,
            )
        })
    }

    /// A policy: a JSON object written inline, or a file to read.
    pub(super) fn policy(&self, operand: &Operand, line: &Line) -> Result<String, ReplError> {
        if let Written::Json(json) = &operand.value {
            return Ok(json.clone());
        }
        let path = self.text(operand, line)?;
        let path = path.strip_prefix("file://").unwrap_or(&path);
        read_text(Path::new(path))
            .map_err(|message| ReplError::invalid(line, operand.span, message, "cannot be read", None))
    }
}

/// A text file, at most the size of a policy document.
pub(super) fn read_text(path: &Path) -> Result<String, String> {
    // `-` is a file here: the REPL's standard input is the person typing.
    let path = if path.as_os_str() == "-" {
        Path::new("./-")
    } else {
        path
    };
    crate::source::read::text(path, crate::source::read::Kind::Policy).map_err(|e| e.to_string())
}
