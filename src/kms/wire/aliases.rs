//! Aliases.

use serde_json::{json, Value};

use super::keys::paging;
use super::members::Members;
use super::shapes::{alias_entry, list};
use crate::eval::Caller;
use crate::kms::error::KmsError;
use crate::kms::runtime::{Clock, Runtime};

type Call = Result<Value, KmsError>;

pub(super) fn create_alias<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    rt.create_alias(caller, m.str("AliasName")?, m.str("TargetKeyId")?)?;
    Ok(json!({}))
}

pub(super) fn update_alias<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    rt.update_alias(caller, m.str("AliasName")?, m.str("TargetKeyId")?)?;
    Ok(json!({}))
}

pub(super) fn delete_alias<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    rt.delete_alias(caller, m.str("AliasName")?)?;
    Ok(json!({}))
}

pub(super) fn list_aliases<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    let page = rt.list_aliases(caller, m.opt_str("KeyId")?, paging(m)?)?;
    Ok(list("Aliases", page.items.iter().map(alias_entry).collect(), &page))
}
