//! Test suites (`keyward test`): a key, the policies and grants around it,
//! and cases that each state a request and the decision expected.
//!
//! ```json
//! {"key": "arn:aws:kms:us-east-1:111122223333:key/…",
//!  "key_policy": "key-policy.json",
//!  "identity_policies": {"arn:aws:iam::111122223333:role/app": ["app.json", {"Statement": […]}]},
//!  "boundaries": {…}, "session_policy": …, "scps": {"111122223333": […]}, "rcps": {…},
//!  "grants": "grants.json",
//!  "cases": [{"name": "app may decrypt", "request": {"principal": "…", "action": "kms:Decrypt"},
//!             "expect": "Allow", "reference": "§5.7 #2"}]}
//! ```
//!
//! Paths are relative to the suite file; a policy may also be written inline.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use super::general::{authorize as authorize_general, by_resource, Around};
use super::load::{load_grants, load_policy, LoadError, Sources};
use super::request::RequestSpec;
use crate::eval::GuardrailNote;
use crate::eval::{CompiledPolicy, Decision};
use crate::kms::{Authorization, Authorizer, AuthorizerBuilder, AuthorizerError, KeyInfo};
use crate::policy::DocumentKind;

/// The key a suite's requests target when it names none.
pub const DEFAULT_KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuiteFile {
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    key_policy: Option<PolicyRef>,
    #[serde(default)]
    identity_policies: BTreeMap<String, Vec<PolicyRef>>,
    #[serde(default)]
    boundaries: BTreeMap<String, PolicyRef>,
    #[serde(default)]
    session_policy: Option<PolicyRef>,
    #[serde(default)]
    scps: BTreeMap<String, Vec<PolicyRef>>,
    #[serde(default)]
    rcps: BTreeMap<String, Vec<PolicyRef>>,
    #[serde(default)]
    grants: Option<PolicyRef>,
    /// The key's `KeySpec` and `KeyUsage` (default `SYMMETRIC_DEFAULT`),
    /// against which grants are checked.
    #[serde(default)]
    key_spec: Option<String>,
    #[serde(default)]
    key_usage: Option<String>,
    /// Resource policies of other services, by resource ARN or ARN prefix
    /// (a bucket's policy covers its objects): bucket, trust, queue policies.
    #[serde(default)]
    resource_policies: BTreeMap<String, PolicyRef>,
    /// The accounts owning resources whose ARNs name none (S3), by ARN or prefix.
    #[serde(default)]
    resource_owners: BTreeMap<String, String>,
    /// VPC endpoint policies by endpoint id (`vpce-…`), for requests naming one.
    #[serde(default)]
    vpc_endpoint_policies: BTreeMap<String, PolicyRef>,
    /// The organization's management account: RCPs do not affect its resources.
    #[serde(default)]
    management_account: Option<String>,
    /// The organization and its member accounts, for `aws:PrincipalOrgID`,
    /// `aws:ResourceOrgID` and their paths.
    #[serde(default)]
    organization: Option<OrganizationFile>,
    cases: Vec<CaseFile>,
}

/// `{"id": "o-…", "root": "r-…", "accounts": {"111122223333": ["ou-…", …]}}`:
/// each member account with its organizational units from the root down.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrganizationFile {
    id: String,
    root: String,
    #[serde(default)]
    accounts: BTreeMap<String, Vec<String>>,
}

/// A file path (a JSON string), or the document written inline, kept as
/// its raw text so keyward's own parser sees it exactly as written
/// (duplicate keys, number texts, member order).
type PolicyRef = Box<serde_json::value::RawValue>;

enum Written<'a> {
    File(String),
    Inline(&'a str),
}

fn written(r: &PolicyRef) -> Written<'_> {
    match serde_json::from_str::<String>(r.get()) {
        Ok(path) => Written::File(path),
        Err(_) => Written::Inline(r.get()),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    name: String,
    request: RequestSpec,
    expect: Expect,
    /// The section of the reference a subtle case pins, e.g. `§8.5`.
    #[serde(default)]
    reference: Option<String>,
    /// The reason code expected beside the decision (`resource-policy-role-limited`, …).
    #[serde(default)]
    expect_why: Option<String>,
    /// The deciding statements expected, each `POLICY#INDEX` or `POLICY#SID`,
    /// where POLICY is the end of the policy's name (`key_policy`, `app.json`).
    #[serde(default)]
    expect_reasons: Option<Vec<String>>,
    /// The guardrail notes expected, by code (`rcp-not-for-aws-managed-key`,
    /// docs/simulate-json.md), in any order; `[]` expects none.
    #[serde(default)]
    expect_guardrail_notes: Option<Vec<String>>,
}

/// The decision a case expects; `Deny` accepts either kind of deny.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub enum Expect {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
    Deny,
}

impl Expect {
    pub fn accepts(self, decision: Decision) -> bool {
        match self {
            Expect::Allow => decision == Decision::Allow,
            Expect::ExplicitDeny => decision == Decision::ExplicitDeny,
            Expect::ImplicitDeny => decision == Decision::ImplicitDeny,
            Expect::Deny => decision != Decision::Allow,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Expect::Allow => "Allow",
            Expect::ExplicitDeny => "ExplicitDeny",
            Expect::ImplicitDeny => "ImplicitDeny",
            Expect::Deny => "Deny",
        }
    }
}

/// A loaded suite, ready to run.
pub struct Suite {
    pub path: PathBuf,
    pub key: String,
    pub authorizer: Authorizer,
    pub sources: Sources,
    resource_policies: Vec<(String, CompiledPolicy)>,
    resource_owners: Vec<(String, String)>,
    cases: Vec<CaseFile>,
}

/// One case's outcome.
pub struct CaseResult {
    pub name: String,
    /// The section of the reference the case cites, if any.
    pub reference: Option<String>,
    pub expected: Expect,
    pub expected_why: Option<String>,
    pub expected_reasons: Option<Vec<String>>,
    pub expected_guardrail_notes: Option<Vec<String>>,
    pub actual: Authorization,
    /// The deciding statements, as `POLICY#INDEX` (with `#SID` when named).
    pub actual_reasons: Vec<String>,
    /// The guardrail notes of the decision's trace, by code.
    pub actual_guardrail_notes: Vec<String>,
    pub passed: bool,
}

/// A suite that cannot be run: unreadable, malformed, or with bad policies.
#[derive(Debug, Error, miette::Diagnostic)]
pub enum SuiteError {
    #[error("cannot read suite `{path}`: {message}")]
    #[diagnostic(code("keyward::suite::unreadable"))]
    Unreadable { path: String, message: String },
    #[error("invalid suite `{path}`: {message}")]
    #[diagnostic(
        code("keyward::suite::invalid"),
        help("see the README's `keyward test` section for the suite format")
    )]
    Invalid { path: String, message: String },
    #[error("cannot read accounts file `{path}`: {message}")]
    #[diagnostic(code("keyward::accounts::unreadable"))]
    AccountsUnreadable { path: String, message: String },
    #[error("invalid accounts file `{path}`: {message}")]
    #[diagnostic(
        code("keyward::accounts::invalid"),
        help("see the README's accounts file section for its format")
    )]
    AccountsInvalid { path: String, message: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Policy(#[from] LoadError),
}

impl Suite {
    pub fn load(path: &Path) -> Result<Suite, SuiteError> {
        let display = path.display().to_string();
        let text =
            crate::source::read::text(path, crate::source::read::Kind::Suite).map_err(|e| SuiteError::Unreadable {
                path: display.clone(),
                message: e.reason(),
            })?;
        let file: SuiteFile = serde_json::from_str(&text).map_err(|e| SuiteError::Invalid {
            path: display.clone(),
            message: e.to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut sources = Sources::default();
        let mut policy = |r: &PolicyRef, label: &str, kind: DocumentKind| -> Result<CompiledPolicy, SuiteError> {
            let loaded = match written(r) {
                Written::File(file) => load_policy(&base.join(file), None, Some(kind))?,
                Written::Inline(text) => load_policy(
                    Path::new(&format!("{display}#{label}")),
                    Some(text.to_owned()),
                    Some(kind),
                )?,
            };
            sources.add(loaded.source);
            Ok(loaded.policy)
        };
        let invalid = |e: AuthorizerError| SuiteError::Invalid {
            path: display.clone(),
            message: e.to_string(),
        };
        let mut builder = AuthorizerBuilder::new();
        if let Some(r) = &file.key_policy {
            builder.key_policy(policy(r, "key_policy", DocumentKind::KeyPolicy)?);
        }
        for (principal, refs) in &file.identity_policies {
            for (i, r) in refs.iter().enumerate() {
                let compiled = policy(
                    r,
                    &format!("identity_policies[{principal}][{i}]"),
                    DocumentKind::IdentityPolicy,
                )?;
                builder.identity_policy(principal, compiled).map_err(invalid)?;
            }
        }
        for (principal, r) in &file.boundaries {
            let compiled = policy(r, &format!("boundaries[{principal}]"), DocumentKind::IdentityPolicy)?;
            builder.boundary(principal, compiled).map_err(invalid)?;
        }
        if let Some(r) = &file.session_policy {
            let compiled = policy(r, "session_policy", DocumentKind::IdentityPolicy)?;
            builder.session_policy(compiled).map_err(invalid)?;
        }
        for (account, refs) in &file.scps {
            for (i, r) in refs.iter().enumerate() {
                let compiled = policy(r, &format!("scps[{account}][{i}]"), DocumentKind::IdentityPolicy)?;
                builder.scp(account, compiled).map_err(invalid)?;
            }
        }
        for (account, refs) in &file.rcps {
            for (i, r) in refs.iter().enumerate() {
                let compiled = policy(r, &format!("rcps[{account}][{i}]"), DocumentKind::Policy)?;
                builder.rcp(account, compiled).map_err(invalid)?;
            }
        }
        if let Some(account) = &file.management_account {
            builder.management_account(account).map_err(invalid)?;
        }
        if let Some(organization) = &file.organization {
            builder
                .organization(&organization.id, &organization.root)
                .map_err(invalid)?;
            for (account, units) in &organization.accounts {
                builder.organization_member(account, units).map_err(invalid)?;
            }
        }
        let key_info = match (&file.key_spec, &file.key_usage) {
            (None, None) => KeyInfo::SYMMETRIC,
            (spec, usage) => KeyInfo::parse(spec.as_deref().unwrap_or("SYMMETRIC_DEFAULT"), usage.as_deref())
                .ok_or_else(|| SuiteError::Invalid {
                    path: display.clone(),
                    message: "invalid `key_spec`/`key_usage`".into(),
                })?,
        };
        let mut resource_policies = Vec::new();
        for (arn, r) in &file.resource_policies {
            let compiled = policy(r, &format!("resource_policies[{arn}]"), DocumentKind::Policy)?;
            resource_policies.push((arn.clone(), compiled));
        }
        for (id, r) in &file.vpc_endpoint_policies {
            let compiled = policy(r, &format!("vpc_endpoint_policies[{id}]"), DocumentKind::Policy)?;
            builder.vpc_endpoint_policy(id, compiled).map_err(invalid)?;
        }
        builder.grants(match file.grants.as_ref().map(written) {
            None => Vec::new(),
            Some(Written::File(f)) => load_grants(&base.join(f), None, key_info)?,
            Some(Written::Inline(text)) => {
                load_grants(Path::new(&format!("{display}#grants")), Some(text.to_owned()), key_info)?
            }
        });
        Ok(Suite {
            path: path.to_path_buf(),
            key: file.key.unwrap_or_else(|| DEFAULT_KEY.to_owned()),
            authorizer: builder.build(),
            sources,
            resource_policies,
            resource_owners: file.resource_owners.into_iter().collect(),
            cases: file.cases,
        })
    }

    pub fn case_count(&self) -> usize {
        self.cases.len()
    }
}

/// Runs every case; a request that cannot be built is a suite error.
pub fn run_suite(suite: &Suite) -> Result<Vec<CaseResult>, SuiteError> {
    suite
        .cases
        .iter()
        .map(|case| {
            let invalid = |message: String| SuiteError::Invalid {
                path: suite.path.display().to_string(),
                message: format!("case `{}`: {message}", case.name),
            };
            if let Some(unknown) = case
                .expect_guardrail_notes
                .iter()
                .flatten()
                .find(|code| !GuardrailNote::ALL.iter().any(|n| n.code() == code.as_str()))
            {
                let known: Vec<&str> = GuardrailNote::ALL.iter().map(|n| n.code()).collect();
                return Err(invalid(format!(
                    "`expect_guardrail_notes`: `{unknown}` is not a guardrail note; the codes are {}",
                    known.join(", ")
                )));
            }
            let actual = decide(suite, &case.request).map_err(invalid)?;
            let actual_reasons = reason_names(&actual);
            let actual_guardrail_notes: Vec<String> = actual
                .trace
                .iter()
                .flat_map(|t| t.guardrails.iter())
                .map(|n| n.code().to_owned())
                .collect();
            let notes_ok = case.expect_guardrail_notes.as_ref().is_none_or(|expected| {
                expected.len() == actual_guardrail_notes.len()
                    && expected.iter().all(|e| actual_guardrail_notes.contains(e))
            });
            let why_ok = case.expect_why.as_deref().is_none_or(|why| why == actual.why);
            let reasons_ok = case.expect_reasons.as_ref().is_none_or(|expected| {
                expected.len() == actual_reasons.len()
                    && expected
                        .iter()
                        .all(|e| actual_reasons.iter().any(|a| reason_matches(e, a)))
            });
            Ok(CaseResult {
                reference: case.reference.clone(),
                name: case.name.clone(),
                expected: case.expect,
                expected_why: case.expect_why.clone(),
                expected_reasons: case.expect_reasons.clone(),
                expected_guardrail_notes: case.expect_guardrail_notes.clone(),
                passed: case.expect.accepts(actual.decision) && why_ok && reasons_ok && notes_ok,
                actual,
                actual_reasons,
                actual_guardrail_notes,
            })
        })
        .collect()
}

/// KMS actions go to the KMS authorizer (key policy, grants); every other
/// action to the general evaluator with the resource's own policy.
fn decide(suite: &Suite, request: &RequestSpec) -> Result<Authorization, String> {
    // A request through an endpoint names one the suite gives a policy for
    // (a misspelt id would otherwise fall back to AWS's allow-all default).
    let vpc_endpoint_policy = match &request.vpc_endpoint {
        Some(id) => Some(
            suite
                .authorizer
                .vpc_endpoint_policies
                .iter()
                .find(|(e, _)| e == id)
                .map(|(_, p)| p)
                .ok_or_else(|| format!("no `vpc_endpoint_policies` entry for `{id}`"))?,
        ),
        None => None,
    };
    if request.action.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("kms:")) {
        let kms = request.to_kms_request(Some(&suite.key))?;
        return Ok(suite.authorizer.authorize(&kms, true));
    }
    let general = request.to_general_request(&suite.resource_owners, &suite.authorizer)?;
    let around = Around {
        identities: &suite.authorizer,
        resource_policy: by_resource(&suite.resource_policies, &general.request.resource),
        vpc_endpoint_policy,
    };
    Ok(authorize_general(&around, &general, true))
}

/// `POLICY#INDEX` or `POLICY#SID`, where POLICY is a suffix of the policy's name.
fn reason_matches(expected: &str, actual: &str) -> bool {
    let Some((policy, which)) = expected.rsplit_once('#') else {
        return false;
    };
    actual.split(' ').any(|name| {
        name.rsplit_once('#')
            .is_some_and(|(p, w)| p.ends_with(policy) && w == which)
    })
}

/// Each deciding statement as `NAME#INDEX NAME#SID`; a grant as `grant#ID`.
fn reason_names(authorization: &Authorization) -> Vec<String> {
    authorization
        .reasons
        .iter()
        .map(|c| match (&c.grant_id, c.statement, &c.sid) {
            (Some(id), _, _) => format!("grant#{id}"),
            (None, Some(i), Some(sid)) => format!("{}#{i} {}#{sid}", c.policy, c.policy),
            (None, Some(i), None) => format!("{}#{i}", c.policy),
            (None, None, _) => c.policy.clone(),
        })
        .collect()
}
