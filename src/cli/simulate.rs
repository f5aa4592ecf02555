//! `keyward simulate`: one request against a key policy, identity policies,
//! guardrails and grants; exit 0 when allowed, 1 when denied, 2 on bad input.

use std::path::{Path, PathBuf};

use keyward::kms::Authorizer;
use keyward::policy::DocumentKind;
use keyward::suite::{load_grants, load_policy, LoadError, RequestSpec, Sources};

use super::args::{SimulateArgs, SimulateFormat};
use super::{explain, Outcome};

pub fn run(args: &SimulateArgs) -> Outcome {
    match simulate(args) {
        Ok(outcome) => outcome,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            Outcome::Failure
        }
        Err(Failure::Load(error)) => {
            eprintln!("{:?}", miette::Report::new(error));
            Outcome::Failure
        }
    }
}

enum Failure {
    Usage(String),
    Load(LoadError),
}

impl From<LoadError> for Failure {
    fn from(e: LoadError) -> Self {
        Failure::Load(e)
    }
}

/// `PRINCIPAL=FILE` or `ACCOUNT=FILE`.
fn split_pair(flag: &str, value: &str) -> Result<(String, PathBuf), Failure> {
    match value.rsplit_once('=') {
        Some((who, file)) if !who.is_empty() && !file.is_empty() => Ok((who.to_owned(), PathBuf::from(file))),
        _ => Err(Failure::Usage(format!(
            "`--{flag} {value}`: expected `--{flag} NAME=FILE`"
        ))),
    }
}

fn simulate(args: &SimulateArgs) -> Result<Outcome, Failure> {
    let request_text = keyward::source::read::text(&args.request, keyward::source::read::Kind::Request)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let spec = RequestSpec::parse(&request_text).map_err(Failure::Usage)?;
    let request = spec.to_kms_request(None).map_err(Failure::Usage)?;

    let mut sources = Sources::default();
    let mut load = |path: &Path, kind: DocumentKind| -> Result<keyward::eval::CompiledPolicy, Failure> {
        let loaded = load_policy(path, None, Some(kind))?;
        sources.add(loaded.source);
        Ok(loaded.policy)
    };
    let mut authorizer = Authorizer::default();
    if let Some(path) = &args.key_policy {
        authorizer.key_policy = Some(load(path, DocumentKind::KeyPolicy)?);
    }
    for value in &args.identity_policy {
        let (principal, path) = split_pair("identity-policy", value)?;
        authorizer
            .identity_policies
            .push((principal, load(&path, DocumentKind::IdentityPolicy)?));
    }
    for value in &args.boundary {
        let (principal, path) = split_pair("boundary", value)?;
        authorizer
            .boundaries
            .push((principal, load(&path, DocumentKind::IdentityPolicy)?));
    }
    if let Some(path) = &args.session_policy {
        authorizer.session_policy = Some(load(path, DocumentKind::IdentityPolicy)?);
    }
    for value in &args.scp {
        let (account, path) = split_pair("scp", value)?;
        authorizer
            .scps
            .push((account, load(&path, DocumentKind::IdentityPolicy)?));
    }
    for value in &args.rcp {
        let (account, path) = split_pair("rcp", value)?;
        authorizer.rcps.push((account, load(&path, DocumentKind::Policy)?));
    }
    if let Some(path) = &args.grants {
        authorizer.grants = load_grants(path, None, request.key)?;
    }

    let authorization = authorizer.authorize(&request, args.explain);
    match args.format {
        SimulateFormat::Json => {
            let mut value = explain::json(&authorization);
            if args.explain {
                value["trace"] = trace_json(&authorization);
                value["grants"] = authorization
                    .grants
                    .iter()
                    .map(|g| {
                        serde_json::json!({
                            "grant_id": g.grant_id,
                            "name": g.name,
                            "applies": g.outcome.is_ok(),
                            "why_not": g.outcome.as_ref().err(),
                        })
                    })
                    .collect();
            }
            println!("{value}");
        }
        SimulateFormat::Text => {
            let colour = super::render::use_colour();
            print!("{}", explain::text(&authorization, &sources, colour, args.explain));
        }
    }
    Ok(if authorization.decision == keyward::eval::Decision::Allow {
        Outcome::Success
    } else {
        Outcome::Problems
    })
}

fn trace_json(authorization: &keyward::kms::Authorization) -> serde_json::Value {
    let entries = authorization.trace.iter().flat_map(|t| t.entries.iter());
    serde_json::Value::Array(
        entries
            .map(|e| {
                serde_json::json!({
                    "policy": e.policy,
                    "statement": e.statement,
                    "sid": e.sid,
                    "effect": e.effect.as_str(),
                    "applies": e.outcome == keyward::eval::Outcome::Applies,
                    "outcome": format!("{:?}", e.outcome),
                })
            })
            .collect(),
    )
}
