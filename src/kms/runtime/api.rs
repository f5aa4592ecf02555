//! The runtime's public operations. Each runs its `…_call` and appends an
//! audit record, whether the call succeeded or was refused. Request
//! parameters are recorded in CloudTrail's camelCase; plaintexts, data keys
//! and ciphertexts never are.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use zeroize::Zeroizing;

use super::audit::Call;
use super::crypto_ops::{DataKey, DataKeySize, Decrypted, Encrypted, ReEncryptCall};
use super::key::Origin;
use super::page::{self, Page, Paging};
use super::rotation::{MaterialEntry, RotationStatus};
use super::{Alias, Clock, KeyMetadata, Runtime};
use crate::eval::Caller;
use crate::kms::error::KmsError;
use crate::kms::grant_book::Issued;
use crate::kms::key_spec::KeyInfo;
use crate::policy::Grant;

impl<C: Clock> Runtime<C> {
    // One argument per field of the record; a struct here would only be unpacked.
    #[allow(clippy::too_many_arguments)]
    fn record<T>(
        &self,
        operation: &str,
        caller: &Caller,
        key: Option<&str>,
        parameters: Value,
        response: Value,
        read_only: bool,
        result: &Result<T, KmsError>,
    ) {
        self.record_keys(
            operation,
            caller,
            key.as_slice(),
            parameters,
            response,
            read_only,
            result,
        );
    }

    /// `record` for a call that names several keys; names that do not
    /// resolve to a key of this runtime are left out.
    #[allow(clippy::too_many_arguments)]
    fn record_keys<T>(
        &self,
        operation: &str,
        caller: &Caller,
        keys: &[&str],
        parameters: Value,
        response: Value,
        read_only: bool,
        result: &Result<T, KmsError>,
    ) {
        let mut key_arns: Vec<String> = Vec::with_capacity(keys.len());
        for arn in keys.iter().filter_map(|k| self.resolve(k).ok()).map(|k| &k.arn) {
            if !key_arns.contains(arn) {
                key_arns.push(arn.clone());
            }
        }
        let arns = if result.is_ok() { key_arns.clone() } else { Vec::new() };
        // The record's `principalId` is the unique id the identities give.
        let identified;
        let caller = match self.identities.unique_id_of(caller) {
            Some(id) => {
                identified = Caller {
                    unique_id: Some(id.to_owned()),
                    ..caller.clone()
                };
                &identified
            }
            None => caller,
        };
        let call = Call {
            operation,
            caller,
            key_arns,
            parameters,
            response,
            read_only,
        };
        let now = self.clock.now();
        let appended = self.audit.append(&self.region, &self.account, now, call, result);
        if let Some((event_id, request_id)) = appended.filter(|_| !arns.is_empty()) {
            let use_ = super::usage::LastUse {
                operation: operation.to_owned(),
                timestamp: now,
                event_id: event_id.to_string(),
                request_id,
            };
            self.usage.note(operation, &arns, &use_);
        }
    }

    /// `CreateKey` for a symmetric encryption key.
    pub fn create_key(
        &mut self,
        caller: &Caller,
        description: Option<&str>,
        policy: Option<&str>,
        bypass_policy_lockout_safety_check: bool,
    ) -> Result<KeyMetadata, KmsError> {
        self.create_key_tagged(caller, description, policy, bypass_policy_lockout_safety_check, &[])
    }

    /// `CreateKey` with `Tags`, which its authorization sees as
    /// `aws:RequestTag/<key>` and `aws:TagKeys`.
    pub fn create_key_tagged(
        &mut self,
        caller: &Caller,
        description: Option<&str>,
        policy: Option<&str>,
        bypass_policy_lockout_safety_check: bool,
        tags: &[(String, String)],
    ) -> Result<KeyMetadata, KmsError> {
        let new = super::NewKey {
            info: KeyInfo::SYMMETRIC,
            description,
            policy,
            bypass_policy_lockout_safety_check,
            tags,
            multi_region: false,
            external: false,
            custom_key_store: None,
        };
        self.create_key_with(caller, &new)
    }

    /// `CreateKey` for a key of any spec and usage.
    pub fn create_key_of(
        &mut self,
        caller: &Caller,
        info: KeyInfo,
        description: Option<&str>,
        policy: Option<&str>,
        bypass_policy_lockout_safety_check: bool,
    ) -> Result<KeyMetadata, KmsError> {
        let new = super::NewKey {
            info,
            description,
            policy,
            bypass_policy_lockout_safety_check,
            tags: &[],
            multi_region: false,
            external: false,
            custom_key_store: None,
        };
        self.create_key_with(caller, &new)
    }

    /// `CreateKey` with every option it takes here.
    pub fn create_key_with(&mut self, caller: &Caller, new: &super::NewKey<'_>) -> Result<KeyMetadata, KmsError> {
        let super::NewKey {
            info,
            description,
            policy: _,
            bypass_policy_lockout_safety_check,
            tags,
            multi_region,
            external: _,
            custom_key_store,
        } = *new;
        let result = self.create_key_call(caller, new);
        let response = result.as_ref().map_or(
            Value::Null,
            |m| json!({"keyMetadata": {"keyId": m.key_id, "arn": m.arn}}),
        );
        let tags: Vec<Value> = tags.iter().map(|(k, v)| json!({"tagKey": k, "tagValue": v})).collect();
        let params = json!({
            "description": description,
            "keySpec": info.spec,
            "keyUsage": info.usage.as_str(),
            "bypassPolicyLockoutSafetyCheck": bypass_policy_lockout_safety_check,
            "tags": tags,
            "multiRegion": multi_region,
            "customKeyStoreId": custom_key_store.map(|(id, _, _)| id),
            "xksKeyId": custom_key_store.and_then(|(_, _, xks)| xks),
        });
        self.record(
            "CreateKey",
            caller,
            result.as_ref().ok().map(|m| m.arn.as_str()),
            params,
            response,
            false,
            &result,
        );
        result
    }

    /// `DescribeKey`; naming `alias/aws/<service>` creates that AWS managed key.
    pub fn describe_key(&mut self, caller: &Caller, key_id: &str) -> Result<KeyMetadata, KmsError> {
        let result = self
            .provision_managed_key(caller, key_id)
            .and_then(|()| self.describe_key_call(caller, key_id));
        self.record(
            "DescribeKey",
            caller,
            Some(key_id),
            json!({"keyId": key_id}),
            Value::Null,
            true,
            &result,
        );
        result
    }

    pub fn enable_key(&mut self, caller: &Caller, key_id: &str) -> Result<KeyMetadata, KmsError> {
        let result = self.enable_key_call(caller, key_id);
        self.record(
            "EnableKey",
            caller,
            Some(key_id),
            json!({"keyId": key_id}),
            Value::Null,
            false,
            &result,
        );
        result
    }

    pub fn disable_key(&mut self, caller: &Caller, key_id: &str) -> Result<KeyMetadata, KmsError> {
        let result = self.disable_key_call(caller, key_id);
        self.record(
            "DisableKey",
            caller,
            Some(key_id),
            json!({"keyId": key_id}),
            Value::Null,
            false,
            &result,
        );
        result
    }

    pub fn schedule_key_deletion(
        &mut self,
        caller: &Caller,
        key_id: &str,
        pending_window_in_days: Option<i64>,
    ) -> Result<KeyMetadata, KmsError> {
        let result = self.schedule_key_deletion_call(caller, key_id, pending_window_in_days);
        let params = json!({"keyId": key_id, "pendingWindowInDays": pending_window_in_days});
        let response = result.as_ref().map_or(
            Value::Null,
            |m| json!({"keyState": m.state.as_str(), "deletionDate": m.deletion_date.map(super::epoch_seconds)}),
        );
        self.record(
            "ScheduleKeyDeletion",
            caller,
            Some(key_id),
            params,
            response,
            false,
            &result,
        );
        result
    }

    pub fn cancel_key_deletion(&mut self, caller: &Caller, key_id: &str) -> Result<KeyMetadata, KmsError> {
        let result = self.cancel_key_deletion_call(caller, key_id);
        self.record(
            "CancelKeyDeletion",
            caller,
            Some(key_id),
            json!({"keyId": key_id}),
            Value::Null,
            false,
            &result,
        );
        result
    }

    pub fn create_alias(&mut self, caller: &Caller, alias_name: &str, target_key_id: &str) -> Result<Alias, KmsError> {
        let result = self.create_alias_call(caller, alias_name, target_key_id);
        let params = json!({"aliasName": alias_name, "targetKeyId": target_key_id});
        self.record(
            "CreateAlias",
            caller,
            Some(target_key_id),
            params,
            Value::Null,
            false,
            &result,
        );
        result
    }

    pub fn delete_alias(&mut self, caller: &Caller, alias_name: &str) -> Result<(), KmsError> {
        let key = self.resolve(alias_name).ok().map(|k| k.arn.clone());
        let result = self.delete_alias_call(caller, alias_name);
        self.record(
            "DeleteAlias",
            caller,
            key.as_deref(),
            json!({"aliasName": alias_name}),
            Value::Null,
            false,
            &result,
        );
        result
    }

    /// `ListAliases`, a page at a time, in alias-name order.
    pub fn list_aliases(
        &self,
        caller: &Caller,
        key_id: Option<&str>,
        paging: Paging<'_>,
    ) -> Result<Page<Alias>, KmsError> {
        let result = page::validate(&paging, page::LIST_ALIASES)
            .and_then(|()| self.list_aliases_call(caller, key_id))
            .map(|aliases| page::page(aliases, &paging, page::LIST_ALIASES, |a| a.name.as_str()));
        self.record(
            "ListAliases",
            caller,
            key_id,
            json!({"keyId": key_id, "limit": paging.limit, "marker": audited_marker(&paging)}),
            Value::Null,
            true,
            &result,
        );
        result
    }

    /// `Encrypt`; naming `alias/aws/<service>` creates that AWS managed key.
    pub fn encrypt(
        &mut self,
        caller: &Caller,
        key_id: &str,
        plaintext: &[u8],
        context: &BTreeMap<String, String>,
        grant_tokens: &[String],
    ) -> Result<Encrypted, KmsError> {
        let result = self
            .provision_managed_key(caller, key_id)
            .and_then(|()| self.encrypt_call(caller, key_id, plaintext, context, grant_tokens));
        let params =
            json!({"keyId": key_id, "encryptionContext": audited(context), "encryptionAlgorithm": "SYMMETRIC_DEFAULT"});
        self.record("Encrypt", caller, Some(key_id), params, Value::Null, true, &result);
        result
    }

    pub fn decrypt(
        &self,
        caller: &Caller,
        ciphertext_blob: &[u8],
        key_id: Option<&str>,
        context: &BTreeMap<String, String>,
        grant_tokens: &[String],
    ) -> Result<Decrypted, KmsError> {
        let result = self.decrypt_call(caller, ciphertext_blob, key_id, context, grant_tokens);
        // The key the blob names is always recorded, allowed or refused,
        // so the key's owner sees who tried; and the key the caller named.
        let blob_key = blob_key_id(ciphertext_blob);
        let keys: Vec<&str> = key_id.into_iter().chain(blob_key.as_deref()).collect();
        let params =
            json!({"keyId": key_id, "encryptionContext": audited(context), "encryptionAlgorithm": "SYMMETRIC_DEFAULT"});
        self.record_keys("Decrypt", caller, &keys, params, Value::Null, true, &result);
        result
    }

    #[allow(clippy::too_many_arguments)]
    pub fn re_encrypt(
        &mut self,
        caller: &Caller,
        ciphertext_blob: &[u8],
        source_key_id: Option<&str>,
        source_context: &BTreeMap<String, String>,
        destination_key_id: &str,
        destination_context: &BTreeMap<String, String>,
        grant_tokens: &[String],
    ) -> Result<Encrypted, KmsError> {
        let call = ReEncryptCall {
            ciphertext_blob,
            source_key_id,
            source_context,
            destination_key_id,
            destination_context,
            grant_tokens,
        };
        Self::re_encrypt_between(self, None, caller, &call)
    }

    /// `ReEncrypt` from a ciphertext of a key of this runtime's partition to
    /// a destination key of `destination`'s (another account's key, named
    /// by key ARN or alias ARN, or the caller's own key when the source is
    /// another account's). Each side is authorized in its own partition and
    /// each partition audits the call against its own key, as the key owner's
    /// CloudTrail would show it.
    pub fn re_encrypt_to(
        &mut self,
        destination: &mut Runtime<C>,
        caller: &Caller,
        call: &ReEncryptCall<'_>,
    ) -> Result<Encrypted, KmsError> {
        Self::re_encrypt_between(self, Some(destination), caller, call)
    }

    fn re_encrypt_between(
        source: &mut Self,
        mut destination: Option<&mut Self>,
        caller: &Caller,
        call: &ReEncryptCall<'_>,
    ) -> Result<Encrypted, KmsError> {
        let provisioned = match destination.as_deref_mut() {
            Some(other) => other.provision_managed_key(caller, call.destination_key_id),
            None => source.provision_managed_key(caller, call.destination_key_id),
        };
        let result = provisioned.and_then(|()| {
            let to: &Self = destination.as_deref().unwrap_or(source);
            Self::re_encrypt_call(
                source,
                to,
                caller,
                call.ciphertext_blob,
                call.source_key_id,
                call.source_context,
                call.destination_key_id,
                call.destination_context,
                call.grant_tokens,
            )
        });
        let params = || {
            json!({
                "sourceKeyId": call.source_key_id, "sourceEncryptionContext": audited(call.source_context),
                "destinationKeyId": call.destination_key_id, "destinationEncryptionContext": audited(call.destination_context),
            })
        };
        // The source key as the blob names it (and as the caller named it),
        // then the destination; each partition records the ones it holds.
        let blob_key = blob_key_id(call.ciphertext_blob);
        let keys: Vec<&str> = blob_key
            .as_deref()
            .into_iter()
            .chain(call.source_key_id)
            .chain([call.destination_key_id])
            .collect();
        source.record_keys("ReEncrypt", caller, &keys, params(), Value::Null, true, &result);
        if let Some(other) = destination {
            other.record_keys("ReEncrypt", caller, &keys, params(), Value::Null, true, &result);
        }
        result
    }

    /// `GenerateDataKey` (or `…WithoutPlaintext`): exactly one of `KeySpec`
    /// and `NumberOfBytes`; a request with both or neither is refused, and
    /// audited, like any other.
    #[allow(clippy::too_many_arguments)]
    pub fn generate_data_key(
        &mut self,
        caller: &Caller,
        key_id: &str,
        key_spec: Option<&str>,
        number_of_bytes: Option<i64>,
        context: &BTreeMap<String, String>,
        grant_tokens: &[String],
        with_plaintext: bool,
    ) -> Result<DataKey, KmsError> {
        let result = DataKeySize::parse(key_spec, number_of_bytes).and_then(|size| {
            self.provision_managed_key(caller, key_id)?;
            self.generate_data_key_call(caller, key_id, size, context, grant_tokens, with_plaintext)
        });
        let params = json!({"keyId": key_id, "encryptionContext": audited(context), "keySpec": key_spec, "numberOfBytes": number_of_bytes});
        let operation = if with_plaintext {
            "GenerateDataKey"
        } else {
            "GenerateDataKeyWithoutPlaintext"
        };
        self.record(operation, caller, Some(key_id), params, Value::Null, true, &result);
        result
    }

    pub fn generate_random(
        &self,
        caller: &Caller,
        number_of_bytes: Option<i64>,
    ) -> Result<Zeroizing<Vec<u8>>, KmsError> {
        self.generate_random_in(caller, number_of_bytes, None)
    }

    /// `GenerateRandom`, in a (connected, CloudHSM) custom key store when
    /// one is named.
    pub fn generate_random_in(
        &self,
        caller: &Caller,
        number_of_bytes: Option<i64>,
        custom_key_store_id: Option<&str>,
    ) -> Result<Zeroizing<Vec<u8>>, KmsError> {
        let result = self.generate_random_call(caller, number_of_bytes, custom_key_store_id);
        self.record(
            "GenerateRandom",
            caller,
            None,
            json!({"numberOfBytes": number_of_bytes, "customKeyStoreId": custom_key_store_id}),
            Value::Null,
            true,
            &result,
        );
        result
    }

    pub fn create_grant(
        &mut self,
        caller: &Caller,
        key_id: &str,
        grant: Grant,
        grant_tokens: &[String],
    ) -> Result<Issued, KmsError> {
        let params = json!({
            "keyId": key_id,
            "operations": grant.operations.iter().map(|op| op.as_str()).collect::<Vec<_>>(),
            "granteePrincipal": match &grant.grantee.node {
                crate::policy::Grantee::Principal(p) | crate::policy::Grantee::ServicePrincipal(p) => p.clone(),
            },
            "retiringPrincipal": grant.retiring_principal.as_ref().map(|p| p.node.clone()),
            "name": grant.name.as_ref().map(|n| n.node.clone()),
        });
        let result = self.create_grant_call(caller, key_id, grant, grant_tokens);
        // The token is never logged (§6.2).
        let response = result.as_ref().map_or(Value::Null, |i| json!({"grantId": i.grant_id}));
        self.record("CreateGrant", caller, Some(key_id), params, response, false, &result);
        result
    }

    pub fn list_grants(
        &self,
        caller: &Caller,
        key_id: &str,
        grant_id: Option<&str>,
        grantee: Option<&str>,
        paging: Paging<'_>,
    ) -> Result<Page<Grant>, KmsError> {
        let result = page::validate(&paging, page::LIST_GRANTS)
            .and_then(|()| self.list_grants_call(caller, key_id, grant_id, grantee))
            .map(|grants| page_of_grants(grants, &paging, page::LIST_GRANTS));
        let params = json!({"keyId": key_id, "grantId": grant_id, "granteePrincipal": grantee, "limit": paging.limit, "marker": audited_marker(&paging)});
        self.record("ListGrants", caller, Some(key_id), params, Value::Null, true, &result);
        result
    }

    /// `ListRetirableGrants`, a page at a time, in grant-id order.
    pub fn list_retirable_grants(
        &self,
        caller: &Caller,
        retiring_principal: &str,
        paging: Paging<'_>,
    ) -> Result<Page<Grant>, KmsError> {
        let result = page::validate(&paging, page::LIST_RETIRABLE_GRANTS)
            .and_then(|()| self.list_retirable_grants_call(caller, retiring_principal))
            .map(|grants| page_of_grants(grants, &paging, page::LIST_RETIRABLE_GRANTS));
        self.record(
            "ListRetirableGrants",
            caller,
            None,
            json!({"retiringPrincipal": retiring_principal, "limit": paging.limit, "marker": audited_marker(&paging)}),
            Value::Null,
            true,
            &result,
        );
        result
    }

    pub fn retire_grant(
        &mut self,
        caller: &Caller,
        grant_token: Option<&str>,
        key_and_grant_id: Option<(&str, &str)>,
    ) -> Result<(), KmsError> {
        let key = key_and_grant_id.map(|(k, _)| k.to_owned()).or_else(|| {
            let grant = self.grants.by_token(grant_token?).ok()?;
            grant.key_id.as_ref().map(|k| k.node.clone())
        });
        let result = self.retire_grant_call(caller, grant_token, key_and_grant_id);
        let params = json!({"keyId": key_and_grant_id.map(|(k, _)| k), "grantId": key_and_grant_id.map(|(_, g)| g)});
        self.record(
            "RetireGrant",
            caller,
            key.as_deref(),
            params,
            Value::Null,
            false,
            &result,
        );
        result
    }

    pub fn revoke_grant(&mut self, caller: &Caller, key_id: &str, grant_id: &str) -> Result<(), KmsError> {
        let result = self.revoke_grant_call(caller, key_id, grant_id);
        self.record(
            "RevokeGrant",
            caller,
            Some(key_id),
            json!({"keyId": key_id, "grantId": grant_id}),
            Value::Null,
            false,
            &result,
        );
        result
    }

    pub fn enable_key_rotation(
        &mut self,
        caller: &Caller,
        key_id: &str,
        period_days: Option<i64>,
    ) -> Result<(), KmsError> {
        let result = self.enable_key_rotation_call(caller, key_id, period_days);
        let params = json!({"keyId": key_id, "rotationPeriodInDays": period_days});
        self.record(
            "EnableKeyRotation",
            caller,
            Some(key_id),
            params,
            Value::Null,
            false,
            &result,
        );
        result
    }

    pub fn disable_key_rotation(&mut self, caller: &Caller, key_id: &str) -> Result<(), KmsError> {
        let result = self.disable_key_rotation_call(caller, key_id);
        self.record(
            "DisableKeyRotation",
            caller,
            Some(key_id),
            json!({"keyId": key_id}),
            Value::Null,
            false,
            &result,
        );
        result
    }

    pub fn get_key_rotation_status(&self, caller: &Caller, key_id: &str) -> Result<RotationStatus, KmsError> {
        let result = self.get_key_rotation_status_call(caller, key_id);
        self.record(
            "GetKeyRotationStatus",
            caller,
            Some(key_id),
            json!({"keyId": key_id}),
            Value::Null,
            true,
            &result,
        );
        result
    }

    pub fn rotate_key_on_demand(&mut self, caller: &Caller, key_id: &str) -> Result<KeyMetadata, KmsError> {
        let result = self.rotate_key_on_demand_call(caller, key_id);
        self.record(
            "RotateKeyOnDemand",
            caller,
            Some(key_id),
            json!({"keyId": key_id}),
            Value::Null,
            false,
            &result,
        );
        result
    }

    /// Every rotation of a key, unpaged, as the runtime's own callers (the
    /// CLI, the REPL) want them; audited as a `ListKeyRotations` call.
    pub fn list_key_rotations(&self, caller: &Caller, key_id: &str) -> Result<Vec<(String, i64, Origin)>, KmsError> {
        self.list_key_rotations_in_pages(caller, key_id, Paging::default(), false, false)
            .map(|page| {
                page.items
                    .into_iter()
                    .filter_map(|m| m.rotation.map(|(date, origin)| (m.key_material_id, date, origin)))
                    .collect()
            })
    }

    /// `ListKeyRotations` as AWS answers it, a page at a time (`Limit`
    /// 1–1000, 100 when not given, with `Truncated` and `NextMarker`
    /// beyond it), oldest rotation first; with `include_all`
    /// (`IncludeKeyMaterial` `ALL_KEY_MATERIAL`) also the first material and
    /// any pending rotation
    /// (<https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyRotations.html>).
    pub fn list_key_rotations_paged(
        &self,
        caller: &Caller,
        key_id: &str,
        paging: Paging<'_>,
        include_all: bool,
    ) -> Result<Page<MaterialEntry>, KmsError> {
        self.list_key_rotations_in_pages(caller, key_id, paging, true, include_all)
    }

    fn list_key_rotations_in_pages(
        &self,
        caller: &Caller,
        key_id: &str,
        paging: Paging<'_>,
        wire: bool,
        include_all: bool,
    ) -> Result<Page<MaterialEntry>, KmsError> {
        let unpaged = !wire && paging.limit.is_none() && paging.marker.is_none();
        let result = page::validate(&paging, page::LIST_KEY_ROTATIONS)
            .and_then(|()| self.list_key_rotations_call(caller, key_id, include_all))
            .map(|rotations| {
                if unpaged {
                    // Every rotation, as the runtime's own callers want them.
                    return Page {
                        items: rotations,
                        next_marker: None,
                    };
                }
                // Paged by position (oldest first), which names sort in.
                let numbered: Vec<(String, MaterialEntry)> = rotations
                    .into_iter()
                    .enumerate()
                    .map(|(i, r)| (format!("{i:06}"), r))
                    .collect();
                let page = page::page(numbered, &paging, page::LIST_KEY_ROTATIONS, |r| r.0.as_str());
                Page {
                    items: page.items.into_iter().map(|(_, r)| r).collect(),
                    next_marker: page.next_marker,
                }
            });
        self.record(
            "ListKeyRotations",
            caller,
            Some(key_id),
            json!({"keyId": key_id, "limit": paging.limit, "marker": audited_marker(&paging)}),
            Value::Null,
            true,
            &result,
        );
        result
    }
}

/// Key management (policies, description, tags, aliases, listing), audited.
impl<C: Clock> Runtime<C> {
    pub fn get_key_policy(&self, caller: &Caller, key_id: &str, policy_name: Option<&str>) -> Result<String, KmsError> {
        let result = self.get_key_policy_call(caller, key_id, policy_name);
        // The policy text is not logged (§13 seed 22).
        self.record(
            "GetKeyPolicy",
            caller,
            Some(key_id),
            json!({"keyId": key_id, "policyName": policy_name}),
            Value::Null,
            true,
            &result,
        );
        result
    }

    pub fn list_key_policies(&self, caller: &Caller, key_id: &str) -> Result<Vec<&'static str>, KmsError> {
        let result = self.list_key_policies_call(caller, key_id);
        self.record(
            "ListKeyPolicies",
            caller,
            Some(key_id),
            json!({"keyId": key_id}),
            Value::Null,
            true,
            &result,
        );
        result
    }

    pub fn put_key_policy(
        &mut self,
        caller: &Caller,
        key_id: &str,
        policy: &str,
        bypass_policy_lockout_safety_check: bool,
    ) -> Result<(), KmsError> {
        let result = self.put_key_policy_call(caller, key_id, policy, bypass_policy_lockout_safety_check);
        let params = json!({"keyId": key_id, "policyName": "default", "policy": policy, "bypassPolicyLockoutSafetyCheck": bypass_policy_lockout_safety_check});
        self.record(
            "PutKeyPolicy",
            caller,
            Some(key_id),
            params,
            Value::Null,
            false,
            &result,
        );
        result
    }

    pub fn update_key_description(
        &mut self,
        caller: &Caller,
        key_id: &str,
        description: &str,
    ) -> Result<KeyMetadata, KmsError> {
        let result = self.update_key_description_call(caller, key_id, description);
        self.record(
            "UpdateKeyDescription",
            caller,
            Some(key_id),
            json!({"keyId": key_id, "description": description}),
            Value::Null,
            false,
            &result,
        );
        result
    }

    pub fn tag_resource(&mut self, caller: &Caller, key_id: &str, tags: &[(String, String)]) -> Result<(), KmsError> {
        let result = self.tag_resource_call(caller, key_id, tags);
        let tags_json: Vec<Value> = tags.iter().map(|(k, v)| json!({"tagKey": k, "tagValue": v})).collect();
        self.record(
            "TagResource",
            caller,
            Some(key_id),
            json!({"keyId": key_id, "tags": tags_json}),
            Value::Null,
            false,
            &result,
        );
        result
    }

    pub fn untag_resource(&mut self, caller: &Caller, key_id: &str, tag_keys: &[String]) -> Result<(), KmsError> {
        let result = self.untag_resource_call(caller, key_id, tag_keys);
        self.record(
            "UntagResource",
            caller,
            Some(key_id),
            json!({"keyId": key_id, "tagKeys": tag_keys}),
            Value::Null,
            false,
            &result,
        );
        result
    }

    pub fn list_resource_tags(&self, caller: &Caller, key_id: &str) -> Result<BTreeMap<String, String>, KmsError> {
        let result = self.list_resource_tags_call(caller, key_id);
        self.record(
            "ListResourceTags",
            caller,
            Some(key_id),
            json!({"keyId": key_id}),
            Value::Null,
            true,
            &result,
        );
        result
    }

    pub fn update_alias(&mut self, caller: &Caller, alias_name: &str, target_key_id: &str) -> Result<(), KmsError> {
        let result = self.update_alias_call(caller, alias_name, target_key_id);
        let params = json!({"aliasName": alias_name, "targetKeyId": target_key_id});
        self.record(
            "UpdateAlias",
            caller,
            Some(target_key_id),
            params,
            Value::Null,
            false,
            &result,
        );
        result
    }

    /// `ListKeys`: (key id, key ARN) pairs, a page at a time, in key-id order.
    pub fn list_keys(&self, caller: &Caller, paging: Paging<'_>) -> Result<Page<(String, String)>, KmsError> {
        let result = page::validate(&paging, page::LIST_KEYS)
            .and_then(|()| self.list_keys_call(caller))
            .map(|keys| page::page(keys, &paging, page::LIST_KEYS, |(id, _)| id.as_str()));
        let params = json!({"limit": paging.limit, "marker": audited_marker(&paging)});
        self.record("ListKeys", caller, None, params, Value::Null, true, &result);
        result
    }
}

/// An encryption context as the audit record holds it: a context over the
/// size limit (and so refused) is not copied into the log.
fn audited(context: &BTreeMap<String, String>) -> Value {
    let bytes = super::crypto_ops::context_bytes(context);
    if bytes > super::MAX_ENCRYPTION_CONTEXT_BYTES {
        Value::String(format!("(omitted: {bytes} bytes, over the limit)"))
    } else {
        json!(context)
    }
}

impl<C: Clock> Runtime<C> {
    /// Runs `call`, an operation the runtime has no method of its own for
    /// (a `kms::op` operation that only needs `authorize` and the state), and
    /// audits it like every other: `key` as the resource, `parameters` in
    /// CloudTrail's camelCase.
    pub fn audited<T>(
        &self,
        operation: &str,
        caller: &Caller,
        key: Option<&str>,
        parameters: Value,
        read_only: bool,
        call: impl FnOnce(&Self) -> Result<T, KmsError>,
    ) -> Result<T, KmsError> {
        let result = call(self);
        self.record(operation, caller, key, parameters, Value::Null, read_only, &result);
        result
    }

    /// [`audited`](Self::audited) for a call that changes the runtime.
    pub fn audited_mut<T>(
        &mut self,
        operation: &str,
        caller: &Caller,
        key: Option<&str>,
        parameters: Value,
        call: impl FnOnce(&mut Self) -> Result<T, KmsError>,
    ) -> Result<T, KmsError> {
        let result = call(self);
        self.record(operation, caller, key, parameters, Value::Null, false, &result);
        result
    }

    /// Records a call refused before it reached its operation (a request
    /// member missing or of the wrong type, say), as AWS logs every call.
    pub fn audit_refused(&self, operation: &str, caller: &Caller, error: &KmsError) {
        let refused: Result<(), KmsError> = Err(error.clone());
        self.record(operation, caller, None, Value::Null, Value::Null, false, &refused);
    }
}

/// The key id a ciphertext blob names, if it reads as a blob.
fn blob_key_id(ciphertext_blob: &[u8]) -> Option<String> {
    crate::crypto::peek(ciphertext_blob).ok().map(|h| h.key_id)
}

/// A request's marker as the audit record holds it: one over the model's
/// length limit (and so refused) is not copied into the log.
fn audited_marker(paging: &Paging<'_>) -> Option<String> {
    paging.marker.map(|m| {
        if m.len() <= 1024 {
            m.to_owned()
        } else {
            format!("(omitted: {} bytes)", m.len())
        }
    })
}

/// Grants in grant-id order, paged.
/// (Every grant in a book has an id: the book gives one, and a stored grant
/// without one is refused on import.)
fn page_of_grants(mut grants: Vec<Grant>, paging: &Paging<'_>, size: page::PageSize) -> Page<Grant> {
    grants.sort_by(|a, b| grant_id(a).cmp(grant_id(b)));
    page::page(grants, paging, size, grant_id)
}

fn grant_id(grant: &Grant) -> &str {
    grant.grant_id.as_ref().map_or("", |id| id.node.as_str())
}
