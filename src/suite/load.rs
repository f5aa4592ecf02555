//! Policy and grant files → compiled policies and grants, keeping each
//! source so explanations can underline statements in it.

use std::path::Path;

use miette::Diagnostic;
use thiserror::Error;

use crate::eval::{CompileError, CompiledPolicy};
use crate::policy::{Document, DocumentKind, Grant, Grants, PolicyErrors};
use crate::source::Source;

/// Why a policy or grant file could not be used.
#[derive(Debug, Error, Diagnostic)]
pub enum LoadError {
    #[error("cannot read `{path}`: {message}")]
    #[diagnostic(code("keyward::suite::unreadable"))]
    Unreadable { path: String, message: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(#[from] PolicyErrors),

    #[error("`{name}` cannot be evaluated")]
    #[diagnostic(code("keyward::eval::invalid-policy"))]
    Uncompilable {
        name: String,
        #[source_code]
        src: miette::NamedSource<std::sync::Arc<str>>,
        #[related]
        errors: Vec<CompileError>,
    },

    #[error("grant {grant} in `{name}` is invalid: {error}")]
    #[diagnostic(
        code("keyward::suite::invalid-grant"),
        help("a grant must be one `CreateGrant` would accept for this key (reference §6.3–§6.5)")
    )]
    InvalidGrant {
        name: String,
        grant: String,
        error: crate::kms::KmsError,
    },

    #[error("`{name}` is a {found}, not {expected}")]
    #[diagnostic(code("keyward::suite::wrong-document"))]
    WrongDocument {
        name: String,
        found: &'static str,
        expected: &'static str,
    },
}

/// The sources of every policy loaded, by the name reasons cite.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    sources: Vec<Source>,
}

impl Sources {
    pub fn add(&mut self, source: Source) {
        self.sources.push(source);
    }

    /// Takes every source of `other`.
    pub fn extend(&mut self, other: Sources) {
        self.sources.extend(other.sources);
    }

    pub fn get(&self, name: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.name() == name)
    }
}

/// A loaded policy: compiled, with its source.
pub struct Loaded {
    pub source: Source,
    pub policy: CompiledPolicy,
}

fn read(path: &Path) -> Result<Source, LoadError> {
    let name = path.display().to_string();
    let unreadable = |message: String| LoadError::Unreadable {
        path: name.clone(),
        message,
    };
    let bytes = if name == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut buf).map_err(|e| unreadable(e.to_string()))?;
        buf
    } else {
        std::fs::read(path).map_err(|e| unreadable(e.to_string()))?
    };
    let text = crate::json::decode(&bytes).map_err(|e| PolicyErrors {
        src: Source::new(name.as_str(), String::from_utf8_lossy(&bytes).as_ref()),
        errors: vec![e.into()],
    })?;
    Ok(Source::new(name.as_str(), text))
}

/// Reads, checks and compiles one policy; `text` instead of a file when given.
pub fn load_policy(path: &Path, text: Option<String>, kind: Option<DocumentKind>) -> Result<Loaded, LoadError> {
    let source = match text {
        Some(text) => Source::new(path.display().to_string(), text),
        None => read(path)?,
    };
    let document = Document::parse(&source, kind.or(Some(DocumentKind::Policy)))?;
    let Document::Policy(policy) = document else {
        return Err(LoadError::WrongDocument {
            name: source.name().to_owned(),
            found: "grant",
            expected: "a policy",
        });
    };
    let compiled = CompiledPolicy::compile(source.name(), &policy).map_err(|errors| LoadError::Uncompilable {
        name: source.name().to_owned(),
        src: source.to_named_source(),
        errors,
    })?;
    Ok(Loaded {
        source,
        policy: compiled,
    })
}

/// Reads a file of grants (one grant, a list, or a `ListGrants` response)
/// and checks each against the key's kind: an invalid grant is an input
/// error, never silently skipped.
pub fn load_grants(path: &Path, text: Option<String>, key: crate::kms::KeyInfo) -> Result<Vec<Grant>, LoadError> {
    let grants = read_grants(path, text)?;
    for (i, grant) in grants.iter().enumerate() {
        crate::kms::validate_grant(grant, key).map_err(|error| LoadError::InvalidGrant {
            name: path.display().to_string(),
            grant: grant
                .grant_id
                .as_ref()
                .map_or_else(|| format!("#{i}"), |g| format!("`{}`", g.node)),
            error,
        })?;
    }
    Ok(grants)
}

fn read_grants(path: &Path, text: Option<String>) -> Result<Vec<Grant>, LoadError> {
    let source = match text {
        Some(text) => Source::new(path.display().to_string(), text),
        None => read(path)?,
    };
    match Document::parse(&source, Some(DocumentKind::Grants))? {
        Document::Grants(Grants { grants, .. }) => Ok(grants.into_iter().map(|g| g.node).collect()),
        Document::Policy(_) => Err(LoadError::WrongDocument {
            name: source.name().to_owned(),
            found: "policy",
            expected: "grants",
        }),
    }
}
