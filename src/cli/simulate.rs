//! `keyward simulate`: one request against a key policy (or any service's
//! resource policy), identity policies, guardrails and grants; exit 0 when
//! allowed, 1 when denied, 2 on bad input. `--accounts` supplies the
//! identity side and `--as` the caller, as for every other command.

use std::path::{Path, PathBuf};

use keyward::eval::{CompiledPolicy, Decision};
use keyward::kms::{Authorization, AuthorizerBuilder, AuthorizerError};
use keyward::policy::DocumentKind;
use keyward::suite::{
    authorize_general, load_grants, load_policy, warnings, Accounts, Around, LoadError, RequestSpec, Sources, Warning,
};

use super::args::{SimulateArgs, SimulateFormat};
use super::kms_args::Session;
use super::{explain, Exit};

pub fn run(session: &Session, args: &SimulateArgs) -> Exit {
    match simulate(session, args) {
        Ok(outcome) => outcome,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            Exit::Failure
        }
        Err(Failure::Load(error)) => {
            eprint!("{}", super::render::report(&error));
            Exit::Failure
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

fn read_request(args: &SimulateArgs) -> Result<RequestSpec, Failure> {
    let text = keyward::source::read::text(&args.request, keyward::source::read::Kind::Request)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    RequestSpec::parse(&text).map_err(Failure::Usage)
}

/// The identity side: the accounts file's, then the flags' on top (a
/// flag's principal may be a short name from the accounts file).
fn identities(
    session: &Session,
    args: &SimulateArgs,
    sources: &mut Sources,
) -> Result<(AuthorizerBuilder, Option<Accounts>), Failure> {
    let mut accounts = match &session.accounts {
        Some(path) => Some(Accounts::load(path).map_err(|e| Failure::Usage(format!("{:?}", miette::Report::new(e))))?),
        None => None,
    };
    let mut builder = AuthorizerBuilder::extend(
        accounts
            .as_mut()
            .map(|a| std::mem::take(&mut a.identities))
            .unwrap_or_default(),
    );
    if let Some(accounts) = &mut accounts {
        sources.extend(std::mem::take(&mut accounts.sources));
    }
    let arn = |who: String| match accounts.as_ref().and_then(|a| a.names.get(&who)) {
        Some(arn) => arn.clone(),
        None => who,
    };
    let rejected = |flag: &str, value: &str, e: AuthorizerError| Failure::Usage(format!("`--{flag} {value}`: {e}"));
    let mut load = |path: &Path, kind: DocumentKind| -> Result<CompiledPolicy, Failure> {
        let loaded = load_policy(path, None, Some(kind))?;
        sources.add(loaded.source);
        Ok(loaded.policy)
    };
    if let Some(path) = &args.key_policy {
        builder.key_policy(load(path, DocumentKind::KeyPolicy)?);
    }
    for value in &args.identity_policy {
        let (principal, path) = split_pair("identity-policy", value)?;
        let policy = load(&path, DocumentKind::IdentityPolicy)?;
        builder
            .identity_policy(&arn(principal), policy)
            .map_err(|e| rejected("identity-policy", value, e))?;
    }
    for value in &args.boundary {
        let (principal, path) = split_pair("boundary", value)?;
        let policy = load(&path, DocumentKind::IdentityPolicy)?;
        builder
            .boundary(&arn(principal), policy)
            .map_err(|e| rejected("boundary", value, e))?;
    }
    if let Some(path) = &args.session_policy {
        let policy = load(path, DocumentKind::IdentityPolicy)?;
        builder
            .session_policy(policy)
            .map_err(|e| rejected("session-policy", &path.display().to_string(), e))?;
    }
    for value in &args.scp {
        let (account, path) = split_pair("scp", value)?;
        let policy = load(&path, DocumentKind::IdentityPolicy)?;
        builder.scp(&account, policy).map_err(|e| rejected("scp", value, e))?;
    }
    for value in &args.rcp {
        let (account, path) = split_pair("rcp", value)?;
        let policy = load(&path, DocumentKind::Policy)?;
        builder.rcp(&account, policy).map_err(|e| rejected("rcp", value, e))?;
    }
    Ok((builder, accounts))
}

fn simulate(session: &Session, args: &SimulateArgs) -> Result<Exit, Failure> {
    let mut spec = read_request(args)?;
    let mut sources = Sources::default();
    let (mut builder, accounts) = identities(session, args, &mut sources)?;
    // `--as` names the caller (a short name from the accounts file, or an
    // ARN); a request's own principal may be a short name too.
    if let Some(who) = &session.caller {
        spec.principal = who.clone();
    }
    if let Some(arn) = accounts.as_ref().and_then(|a| a.names.get(&spec.principal)) {
        spec.principal = arn.clone();
    }
    if spec.via_service.is_none() {
        spec.via_service = session
            .via_service
            .as_ref()
            .map(|s| super::kms::via_service_endpoint(s, &session.region))
            .transpose()
            .map_err(Failure::Usage)?;
    }

    let kms = spec.action.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("kms:"));
    let found = warnings(
        &spec.action,
        spec.resource.as_deref(),
        spec.context.keys().map(String::as_str),
    );
    for warning in &found {
        eprintln!("warning: {}", warning.message);
        if let Some(suggestion) = &warning.suggestion {
            eprintln!("  help: did you mean `{suggestion}`?");
        }
    }

    // An endpoint policy applies to requests through its endpoint: the
    // request names it (`vpc_endpoint`, which fills `aws:SourceVpce`).
    let vpc_endpoint_policy = match (&args.vpc_endpoint_policy, &spec.vpc_endpoint) {
        (Some(path), Some(id)) => {
            let loaded = load_policy(path, None, Some(DocumentKind::Policy))?;
            sources.add(loaded.source);
            Some((id.clone(), loaded.policy))
        }
        (Some(_), None) => {
            return Err(Failure::Usage(
                "`--vpc-endpoint-policy` applies to a request through that endpoint: give the request's `vpc_endpoint` (its `vpce-…` id)".into(),
            ))
        }
        (None, _) => None,
    };

    let authorization = if kms {
        if args.resource_policy.is_some() {
            return Err(Failure::Usage(
                "`--resource-policy` is for other services: give a KMS key's policy with `--key-policy`".into(),
            ));
        }
        let request = spec.to_kms_request(None).map_err(Failure::Usage)?;
        if let Some(path) = &args.grants {
            builder.grants(load_grants(path, None, request.key)?);
        }
        if let Some((id, policy)) = vpc_endpoint_policy {
            builder
                .vpc_endpoint_policy(&id, policy)
                .map_err(|e| Failure::Usage(format!("`--vpc-endpoint-policy`: {e}")))?;
        }
        builder.build().authorize(&request, args.explain)
    } else {
        if args.key_policy.is_some() || args.grants.is_some() {
            return Err(Failure::Usage(format!(
                "`{}` is not a KMS action: give the resource's policy with `--resource-policy`",
                spec.action
            )));
        }
        let authorizer = builder.build();
        let general = spec.to_general_request(&[], &authorizer).map_err(Failure::Usage)?;
        let mut load = |path: &Path| -> Result<CompiledPolicy, Failure> {
            let loaded = load_policy(path, None, Some(DocumentKind::Policy))?;
            sources.add(loaded.source);
            Ok(loaded.policy)
        };
        let resource_policy = args.resource_policy.as_deref().map(&mut load).transpose()?;
        let around = Around {
            identities: &authorizer,
            resource_policy: resource_policy.as_ref(),
            vpc_endpoint_policy: vpc_endpoint_policy.as_ref().map(|(_, policy)| policy),
        };
        authorize_general(&around, &general, args.explain)
    };
    match args.format {
        SimulateFormat::Json => outln!("{}", json(&authorization, &found, args.explain)),
        SimulateFormat::Text => {
            let colour = super::render::use_colour();
            out!("{}", explain::text(&authorization, &sources, colour, args.explain));
        }
    }
    Ok(if authorization.decision == Decision::Allow {
        Exit::Success
    } else {
        Exit::Problems
    })
}

/// The JSON answer (schema in docs/simulate-json.md).
fn json(authorization: &Authorization, found: &[Warning], explain: bool) -> serde_json::Value {
    let mut value = explain::json(authorization);
    value["warnings"] = found
        .iter()
        .map(|w| serde_json::json!({"code": w.code, "message": w.message, "suggestion": w.suggestion}))
        .collect();
    if explain {
        value["trace"] = trace_json(authorization);
        value["guardrail_notes"] = authorization
            .trace
            .iter()
            .flat_map(|t| t.guardrails.iter())
            .map(|n| serde_json::json!({"code": n.code(), "message": n.describe()}))
            .collect();
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
    value
}

fn trace_json(authorization: &Authorization) -> serde_json::Value {
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
                    "outcome": e.outcome.code(),
                    "message": e.outcome.describe(),
                    "note": e.note.map(|n| serde_json::json!({"code": n.code(), "message": n.describe()})),
                })
            })
            .collect(),
    )
}
