//! The global context keys AWS derives from any request: who calls, from
//! which account, on whose resource, from where and when. Explicit entries
//! given with the request override them.

use crate::eval::request::{Caller, CallerKind, Context};

/// `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`,
/// `aws:username`, `aws:userid`, `aws:ResourceAccount`, `aws:RequestedRegion`,
/// `aws:SourceIp`, `aws:ViaAWSService`, `aws:SecureTransport`, `aws:CurrentTime`,
/// `aws:EpochTime`.
pub fn derive_context(caller: &Caller, resource: &str, resource_account: Option<&str>, time: Option<&str>) -> Context {
    let mut context = Context::new();
    context.insert_one("aws:PrincipalType", caller.principal_type());
    if caller.kind != CallerKind::Anonymous {
        context.insert_one("aws:PrincipalArn", caller.principal_arn());
    }
    let service = caller.kind == CallerKind::Service;
    context.insert_one("aws:PrincipalIsAWSService", if service { "true" } else { "false" });
    if service {
        context.insert_one("aws:PrincipalServiceName", caller.arn.clone());
    }
    if let Some(account) = &caller.account {
        context.insert_one("aws:PrincipalAccount", account.clone());
    }
    if caller.kind == CallerKind::User {
        context.insert_one("aws:username", caller.arn.rsplit('/').next().unwrap_or_default());
    }
    if let Some(user_id) = caller.user_id() {
        context.insert_one("aws:userid", user_id);
    }
    if let Some(account) = resource_account {
        context.insert_one("aws:ResourceAccount", account);
    }
    if let Some(region) = resource.split(':').nth(3).filter(|r| !r.is_empty()) {
        context.insert_one("aws:RequestedRegion", region);
    }
    context.insert_one(
        "aws:ViaAWSService",
        if caller.via_service.is_some() { "true" } else { "false" },
    );
    // Always present; AWS API endpoints are HTTPS (a plain-HTTP request,
    // to S3 say, gives `"aws:SecureTransport": "false"` in its context).
    context.insert_one("aws:SecureTransport", "true");
    if let Some(ip) = caller.source_ip.as_ref().filter(|_| caller.via_service.is_none()) {
        context.insert_one("aws:SourceIp", ip.clone());
    }
    if let Some(time) = time {
        context.insert_one("aws:CurrentTime", time);
        if let Some(nanos) = crate::eval::value::date(time) {
            context.insert_one("aws:EpochTime", nanos.div_euclid(1_000_000_000).to_string());
        }
    }
    context
}
