//! The commands that manage keys, aliases, key policies and grants.

use std::io::Write;

use super::command::{Command, Statement};
use super::diagnostics::ReplError;
use super::run::{done, io, key_line};
use super::session::{Ran, Session, Step};
use super::value::Value;
use crate::kms::runtime::{epoch_seconds, rfc3339, Page, Paging};
use crate::kms::wire::grant_from_request;

impl Session {
    pub(super) fn manage(&mut self, statement: &Statement, out: &mut impl Write) -> Result<Ran, ReplError> {
        let line = &statement.line;
        let caller = self.caller.clone();
        let kms = ReplError::kms;
        match &statement.command {
            Command::KeyCreate {
                kind,
                description,
                policy,
                bypass,
            } => {
                let description = description.as_ref().map(|d| self.text(d, line)).transpose()?;
                let policy = policy.as_ref().map(|p| self.policy(p, line)).transpose()?;
                let m = match kind {
                    // Another kind: through the operation, for AWS's checks of the pair and Region.
                    Some((spec, usage)) => {
                        let request = serde_json::json!({
                            "KeySpec": spec, "KeyUsage": usage, "Description": description,
                            "Policy": policy, "BypassPolicyLockoutSafetyCheck": bypass,
                        });
                        let created = crate::kms::op::run_json(&mut self.runtime, &caller, "CreateKey", &request)
                            .map_err(kms("CreateKey"))?;
                        let id = created["KeyMetadata"]["KeyId"].as_str().unwrap_or_default();
                        self.runtime.metadata_of(id).ok_or_else(|| {
                            kms("CreateKey")(crate::kms::KmsError::new(
                                crate::kms::ErrorName::KMSInternalException,
                                "The new key is missing.",
                            ))
                        })?
                    }
                    None => self
                        .runtime
                        .create_key(&caller, description.as_deref(), policy.as_deref(), *bypass)
                        .map_err(kms("CreateKey"))?,
                };
                writeln!(out, "{}", key_line(&m)).map_err(io)?;
                Ok((
                    Step::Done,
                    Some(Value::Key {
                        id: m.key_id,
                        arn: m.arn,
                    }),
                ))
            }
            Command::KeyList => {
                let keys = every_page(|paging| self.runtime.list_keys(&caller, paging).map_err(kms("ListKeys")))?;
                for (id, _) in &keys {
                    let described = self.runtime.resolve(id).map(|k| k.state.to_string());
                    writeln!(out, "{id}  {}", described.unwrap_or_default()).map_err(io)?;
                }
                done()
            }
            Command::KeyDescribe(key)
            | Command::KeyEnable(key)
            | Command::KeyDisable(key)
            | Command::KeyCancelDeletion(key)
            | Command::KeyRotate(key) => {
                let key_id = self.key(key, line)?;
                let operation = match &statement.command {
                    Command::KeyDescribe(_) => "DescribeKey",
                    Command::KeyEnable(_) => "EnableKey",
                    Command::KeyDisable(_) => "DisableKey",
                    Command::KeyCancelDeletion(_) => "CancelKeyDeletion",
                    _ => "RotateKeyOnDemand",
                };
                let rt = &mut self.runtime;
                let m = match &statement.command {
                    Command::KeyDescribe(_) => rt.describe_key(&caller, &key_id),
                    Command::KeyEnable(_) => rt.enable_key(&caller, &key_id),
                    Command::KeyDisable(_) => rt.disable_key(&caller, &key_id),
                    Command::KeyCancelDeletion(_) => rt.cancel_key_deletion(&caller, &key_id),
                    _ => rt.rotate_key_on_demand(&caller, &key_id),
                }
                .map_err(kms(operation))?;
                writeln!(out, "{}", key_line(&m)).map_err(io)?;
                if matches!(statement.command, Command::KeyDescribe(_)) {
                    writeln!(out, "  arn: {}", m.arn).map_err(io)?;
                    writeln!(out, "  created: {}", rfc3339(epoch_seconds(m.creation_date))).map_err(io)?;
                    writeln!(out, "  manager: {}", m.key_manager).map_err(io)?;
                    if m.key_spec != "SYMMETRIC_DEFAULT" {
                        writeln!(out, "  spec: {}  usage: {}", m.key_spec, m.key_usage).map_err(io)?;
                    }
                }
                if let Some(material) = m
                    .current_key_material_id
                    .as_ref()
                    .filter(|_| matches!(statement.command, Command::KeyRotate(_) | Command::KeyDescribe(_)))
                {
                    writeln!(out, "  current material: {material}").map_err(io)?;
                }
                done()
            }
            Command::KeyScheduleDeletion { key, days } => {
                let key_id = self.key(key, line)?;
                let m = self
                    .runtime
                    .schedule_key_deletion(&caller, &key_id, *days)
                    .map_err(kms("ScheduleKeyDeletion"))?;
                writeln!(out, "{}", key_line(&m)).map_err(io)?;
                done()
            }
            Command::KeyEnableRotation { key, days } => {
                let key_id = self.key(key, line)?;
                self.runtime
                    .enable_key_rotation(&caller, &key_id, *days)
                    .map_err(kms("EnableKeyRotation"))?;
                let status = self
                    .runtime
                    .get_key_rotation_status(&caller, &key_id)
                    .map_err(kms("GetKeyRotationStatus"))?;
                let next = status.next_rotation_date.map(rfc3339).unwrap_or_default();
                writeln!(
                    out,
                    "rotation every {} days, next on {next}",
                    status.rotation_period_in_days.unwrap_or_default()
                )
                .map_err(io)?;
                done()
            }
            Command::KeyDisableRotation(key) => {
                let key_id = self.key(key, line)?;
                self.runtime
                    .disable_key_rotation(&caller, &key_id)
                    .map_err(kms("DisableKeyRotation"))?;
                writeln!(out, "rotation disabled").map_err(io)?;
                done()
            }
            Command::KeyRotations(key) => {
                let key_id = self.key(key, line)?;
                let rotations = self
                    .runtime
                    .list_key_rotations(&caller, &key_id)
                    .map_err(kms("ListKeyRotations"))?;
                if rotations.is_empty() {
                    writeln!(out, "no rotations yet").map_err(io)?;
                }
                for (material, at, origin) in rotations {
                    writeln!(out, "{}  {}  material {material}", rfc3339(at), origin.as_str()).map_err(io)?;
                }
                done()
            }
            Command::AliasCreate { name, key } | Command::AliasUpdate { name, key } => {
                let (name, key_id) = (self.text(name, line)?, self.key(key, line)?);
                if matches!(statement.command, Command::AliasCreate { .. }) {
                    self.runtime
                        .create_alias(&caller, &name, &key_id)
                        .map_err(kms("CreateAlias"))?;
                } else {
                    self.runtime
                        .update_alias(&caller, &name, &key_id)
                        .map_err(kms("UpdateAlias"))?;
                }
                let target = self.runtime.resolve(&name).map(|k| k.id.clone()).unwrap_or_default();
                writeln!(out, "{name} -> key {target}").map_err(io)?;
                done()
            }
            Command::AliasDelete(name) => {
                let name = self.text(name, line)?;
                self.runtime.delete_alias(&caller, &name).map_err(kms("DeleteAlias"))?;
                writeln!(out, "deleted {name}").map_err(io)?;
                done()
            }
            Command::AliasList(key) => {
                let key_id = key.as_ref().map(|k| self.key(k, line)).transpose()?;
                let aliases = every_page(|paging| {
                    self.runtime
                        .list_aliases(&caller, key_id.as_deref(), paging)
                        .map_err(kms("ListAliases"))
                })?;
                for alias in aliases {
                    if alias.target_key_id.is_empty() {
                        // An AWS managed alias whose key AWS makes at its first use.
                        writeln!(out, "{} (no key until its first use)", alias.name).map_err(io)?;
                    } else {
                        writeln!(out, "{} -> key {}", alias.name, alias.target_key_id).map_err(io)?;
                    }
                }
                done()
            }
            Command::PolicyGet(key) => {
                let key_id = self.key(key, line)?;
                let text = self
                    .runtime
                    .get_key_policy(&caller, &key_id, None)
                    .map_err(kms("GetKeyPolicy"))?;
                writeln!(out, "{text}").map_err(io)?;
                done()
            }
            Command::PolicyPut { key, policy, bypass } => {
                let key_id = self.key(key, line)?;
                let text = self.policy(policy, line)?;
                self.runtime
                    .put_key_policy(&caller, &key_id, &text, *bypass)
                    .map_err(kms("PutKeyPolicy"))?;
                writeln!(out, "policy of {key_id} replaced").map_err(io)?;
                done()
            }
            Command::GrantCreate {
                key,
                grantee,
                operations,
                context_equals,
                context_subset,
                retiring,
                name,
            } => {
                let key_id = self.key(key, line)?;
                let grantee = self.principal(grantee, line)?;
                let mut request = serde_json::json!({
                    "GranteePrincipal": grantee.arn,
                    "Operations": operations,
                });
                if let Some(pairs) = context_equals {
                    request["Constraints"]["EncryptionContextEquals"] = serde_json::json!(pairs);
                }
                if let Some(pairs) = context_subset {
                    request["Constraints"]["EncryptionContextSubset"] = serde_json::json!(pairs);
                }
                if let Some(r) = retiring {
                    request["RetiringPrincipal"] = serde_json::json!(self.principal(r, line)?.arn);
                }
                if let Some(n) = name {
                    request["Name"] = serde_json::json!(self.text(n, line)?);
                }
                let grant = grant_from_request(&request).map_err(kms("CreateGrant"))?;
                let issued = self
                    .runtime
                    .create_grant(&caller, &key_id, grant, &[])
                    .map_err(kms("CreateGrant"))?;
                writeln!(
                    out,
                    "grant {} for {} to {}",
                    issued.grant_id,
                    grantee.arn,
                    operations.join(", ")
                )
                .map_err(io)?;
                writeln!(out, "  token: {}", issued.grant_token).map_err(io)?;
                Ok((
                    Step::Done,
                    Some(Value::Grant {
                        id: issued.grant_id,
                        token: issued.grant_token,
                    }),
                ))
            }
            Command::GrantList(key) => {
                let key_id = self.key(key, line)?;
                let grants = every_page(|paging| {
                    self.runtime
                        .list_grants(&caller, &key_id, None, None, paging)
                        .map_err(kms("ListGrants"))
                })?;
                if grants.is_empty() {
                    writeln!(out, "no grants").map_err(io)?;
                }
                for grant in &grants {
                    let entry = crate::kms::wire::grant_entry(grant);
                    let operations: Vec<&str> = entry["Operations"]
                        .as_array()
                        .map(|ops| ops.iter().filter_map(|o| o.as_str()).collect())
                        .unwrap_or_default();
                    writeln!(
                        out,
                        "grant {} for {} to {}",
                        entry["GrantId"].as_str().unwrap_or(""),
                        entry["GranteePrincipal"].as_str().unwrap_or(""),
                        operations.join(", ")
                    )
                    .map_err(io)?;
                    if let Some(constraints) = entry.get("Constraints") {
                        writeln!(out, "  constraints: {constraints}").map_err(io)?;
                    }
                }
                done()
            }
            Command::GrantRevoke { key, grant } => {
                let key_id = self.key(key, line)?;
                let grant_id = self.grant(grant, line, false)?;
                self.runtime
                    .revoke_grant(&caller, &key_id, &grant_id)
                    .map_err(kms("RevokeGrant"))?;
                writeln!(out, "revoked grant {grant_id}").map_err(io)?;
                done()
            }
            Command::GrantRetire(token) => {
                let token = self.grant(token, line, true)?;
                self.runtime
                    .retire_grant(&caller, Some(&token), None)
                    .map_err(kms("RetireGrant"))?;
                writeln!(out, "retired the grant").map_err(io)?;
                done()
            }
            _ => done(),
        }
    }
}

/// Every item of a list, page after page until the last, as `key list`,
/// `alias list` and `grant list` show them.
fn every_page<T>(mut fetch: impl FnMut(Paging<'_>) -> Result<Page<T>, ReplError>) -> Result<Vec<T>, ReplError> {
    let mut items = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = fetch(Paging {
            limit: None,
            marker: marker.as_deref(),
        })?;
        items.extend(page.items);
        match page.next_marker {
            Some(next) => marker = Some(next),
            None => return Ok(items),
        }
    }
}
