//! Grants.

use serde_json::{json, Map, Value};

use super::keys::paging;
use super::members::Members;
use super::shapes::{grant_entry, list};
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::runtime::{Clock, Runtime};
use crate::policy::{Document, DocumentKind, Grant};
use crate::source::Source;

type Call = Result<Value, KmsError>;

/// The grant a `CreateGrant` request describes (`GranteePrincipal`,
/// `Operations`, `RetiringPrincipal`, `Constraints`, `Name`), read by the
/// grant reader, so every problem is reported in one `ValidationException`.
pub fn grant_from_request(request: &Value) -> Result<Grant, KmsError> {
    let members: Map<String, Value> = [
        "GranteePrincipal",
        "Operations",
        "RetiringPrincipal",
        "Constraints",
        "Name",
    ]
    .iter()
    .filter_map(|name| {
        let value = request.get(*name).filter(|v| !v.is_null())?;
        Some(((*name).to_owned(), value.clone()))
    })
    .collect();
    let source = Source::new("CreateGrant", Value::Object(members).to_string());
    match Document::parse(&source, Some(DocumentKind::Grants)) {
        Ok(Document::Grants(mut grants)) if grants.grants.len() == 1 => Ok(grants.grants.remove(0).node),
        Ok(_) => Err(KmsError::new(
            ErrorName::ValidationException,
            "The request is not one grant.",
        )),
        Err(errors) => {
            let problems: Vec<String> = errors.errors.iter().map(|e| e.to_string()).collect();
            Err(KmsError::new(ErrorName::ValidationException, problems.join("; ")))
        }
    }
}

pub(super) fn create_grant<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>, request: &Value) -> Call {
    if m.bool("DryRun")? {
        return Err(KmsError::new(
            ErrorName::UnsupportedOperationException,
            "keyward does not implement DryRun yet; the call was not made",
        ));
    }
    let key_id = m.str("KeyId")?;
    m.present("GranteePrincipal")?;
    m.present("Operations")?;
    let grant = grant_from_request(request)?;
    let issued = rt.create_grant(caller, key_id, grant, &m.strings("GrantTokens")?)?;
    Ok(json!({"GrantToken": issued.grant_token, "GrantId": issued.grant_id}))
}

pub(super) fn list_grants<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    let page = rt.list_grants(
        caller,
        m.str("KeyId")?,
        m.opt_str("GrantId")?,
        m.opt_str("GranteePrincipal")?,
        paging(m)?,
    )?;
    Ok(list("Grants", page.items.iter().map(grant_entry).collect(), &page))
}

pub(super) fn list_retirable_grants<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    let page = rt.list_retirable_grants(caller, m.str("RetiringPrincipal")?, paging(m)?)?;
    Ok(list("Grants", page.items.iter().map(grant_entry).collect(), &page))
}

pub(super) fn retire_grant<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    let by_id = m.opt_str("KeyId")?.zip(m.opt_str("GrantId")?);
    rt.retire_grant(caller, m.opt_str("GrantToken")?, by_id)?;
    Ok(json!({}))
}

pub(super) fn revoke_grant<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    rt.revoke_grant(caller, m.str("KeyId")?, m.str("GrantId")?)?;
    Ok(json!({}))
}
