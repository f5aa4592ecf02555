//! Requests on any service other than KMS: the request file's fields →
//! the evaluator's [`Request`], decided by [`crate::eval::access`] and
//! returned in the same [`Authorization`] shape as a KMS decision, so
//! explanations and suites treat both alike.

use crate::eval::access::{self, Policies, Target};
use crate::eval::{Caller, CompiledPolicy, Decision, Request, Trace};
use crate::kms::{Authorization, Cause, Path};

use super::request::RequestSpec;

/// A request ready for the general evaluator.
pub struct General {
    pub request: Request,
    pub resource_account: Option<String>,
    pub no_resource: bool,
}

/// Does the catalogue say `action` takes no resource? `None` when it does
/// not know the action.
pub fn takes_no_resource(action: &str) -> Option<bool> {
    let (service, name) = action.split_once(':')?;
    let action = crate::catalog::get().service(service)?.action(name)?;
    Some(action.resource_types.is_empty())
}

impl RequestSpec {
    /// The general evaluator's request. `owners` maps resource ARNs (or
    /// their prefixes, such as a bucket's) to the account owning them;
    /// `identities` give the caller its unique id (`aws:userid`).
    pub fn to_general_request(
        &self,
        owners: &[(String, String)],
        identities: &crate::kms::Authorizer,
    ) -> Result<General, String> {
        let mut caller = self.caller()?;
        identities.identify(&mut caller);
        let (service, name) = self.action.split_once(':').unwrap_or_default();
        if service.is_empty() || name.is_empty() {
            return Err(format!(
                "invalid `action`: `{}` is not `service:Action`, such as `s3:GetObject`",
                self.action
            ));
        }
        let resource = match self.resource.as_deref() {
            Some(r) if r != "*" => r.to_owned(),
            _ if takes_no_resource(&self.action) == Some(false) => {
                return Err(format!(
                    "the request has no `resource`, and `{}` acts on one: give its ARN",
                    self.action
                ))
            }
            _ => "*".to_owned(),
        };
        let no_resource = resource == "*";
        let resource_account = match &self.resource_account {
            Some(account) => Some(account.clone()),
            None if no_resource => None,
            None => crate::eval::value::arn_account(&resource)
                .map(str::to_owned)
                .or_else(|| owner(owners, &resource).map(str::to_owned)),
        };
        if let Some(time) = &self.time {
            if crate::eval::value::date(time).is_none() {
                return Err(format!(
                    "invalid `time`: `{time}` is not an RFC 3339 time such as `2026-11-28T12:00:00Z`"
                ));
            }
        }
        let mut context = access::derive_context(&caller, &resource, resource_account.as_deref(), self.time.as_deref());
        for (key, value) in self.explicit_context()?.iter() {
            context.insert(key, value.clone());
        }
        Ok(General {
            request: Request {
                caller,
                action: self.action.clone(),
                resource,
                context,
            },
            resource_account,
            no_resource,
        })
    }
}

/// The entry whose key is `resource` or a path prefix of it (`arn:aws:s3:::b`
/// for `arn:aws:s3:::b/key`), longest first.
pub fn by_resource<'a, T>(entries: &'a [(String, T)], resource: &str) -> Option<&'a T> {
    entries
        .iter()
        .filter(|(key, _)| {
            resource == key
                || resource
                    .strip_prefix(key.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        })
        .max_by_key(|(key, _)| key.len())
        .map(|(_, value)| value)
}

fn owner<'a>(owners: &'a [(String, String)], resource: &str) -> Option<&'a str> {
    by_resource(owners, resource).map(String::as_str)
}

/// The identity side and guardrails (from a KMS [`crate::kms::Authorizer`]
/// or an accounts file) plus the resource's policy and endpoint policy.
pub struct Around<'p> {
    pub identities: &'p crate::kms::Authorizer,
    pub resource_policy: Option<&'p CompiledPolicy>,
    pub vpc_endpoint_policy: Option<&'p CompiledPolicy>,
}

/// Decides a general request and explains it.
pub fn authorize(around: &Around<'_>, general: &General, trace: bool) -> Authorization {
    let identities = around.identities;
    let policies = Policies {
        resource: around.resource_policy,
        identity: &identities.identity_policies,
        boundaries: &identities.boundaries,
        session: identities.session_policy.as_ref(),
        scps: &identities.scps,
        rcps: &identities.rcps,
        vpc_endpoint: around.vpc_endpoint_policy,
        management_account: identities.management_account.as_deref(),
    };
    let target = Target {
        resource_account: general.resource_account.as_deref(),
        no_resource: general.no_resource,
    };
    let mut recorded = trace.then(Trace::default);
    let mut request = general.request.clone();
    add_principal_tags(identities, &mut request);
    if let Some(organization) = &identities.organization {
        organization.add_keys(
            &request.caller,
            general.resource_account.as_deref(),
            &mut request.context,
        );
    }
    let access = access::authorize(&policies, &request, target, recorded.as_mut());
    let reasons: Vec<Cause> = access
        .reasons
        .iter()
        .map(|r| Cause {
            policy: r.policy.to_owned(),
            statement: Some(r.statement),
            sid: r.sid.map(str::to_owned),
            effect: r.effect,
            span: Some(r.span),
            grant_id: None,
            note: r.note,
        })
        .collect();
    let path = match access.why {
        _ if access.decision != Decision::Allow => None,
        access::Rule::IdentityAllows | access::Rule::RootUser | access::Rule::ResourcePolicyDelegates => {
            Some(Path::IdentityPolicy)
        }
        _ => Some(Path::ResourcePolicy),
    };
    let summary = match access.why {
        access::Rule::ExplicitDeny => format!("explicitly denied by {}", describe(&reasons)),
        why => why.describe().to_owned(),
    };
    Authorization {
        decision: access.decision,
        path,
        why: access.why.code(),
        reasons,
        summary,
        missing_context_keys: access.missing_context_keys.iter().map(|k| (*k).to_owned()).collect(),
        trace: recorded,
        grants: Vec::new(),
    }
}

/// `aws:PrincipalTag/<key>` from the accounts file, unless given explicitly.
fn add_principal_tags(identities: &crate::kms::Authorizer, request: &mut Request) {
    let caller: &Caller = &request.caller;
    let tags: Vec<(String, String)> = identities
        .principal_tags_of(caller)
        .into_iter()
        .map(|(k, v)| (format!("aws:PrincipalTag/{k}"), v.clone()))
        .collect();
    for (name, value) in tags {
        if !request.context.contains(&name) {
            request.context.insert_one(&name, value);
        }
    }
}

fn describe(causes: &[Cause]) -> String {
    let names: Vec<String> = causes
        .iter()
        .map(|c| match (&c.sid, c.statement) {
            (Some(sid), _) => format!("statement `{sid}` of {}", c.policy),
            (None, Some(i)) => format!("statement {i} of {}", c.policy),
            (None, None) => c.policy.clone(),
        })
        .collect();
    names.join(" and ")
}
