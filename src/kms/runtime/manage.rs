//! Key management beyond states: key policies, descriptions, tags,
//! `UpdateAlias` and `ListKeys`.

use std::collections::BTreeMap;

use super::key::Use;
use super::{check_alias_name, Clock, KeyMetadata, Runtime};
use crate::eval::{Caller, Context};
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::request::KmsRequest;

/// At most this many tags on a key (§2.1).
pub const MAX_TAGS: usize = 50;

use super::tagging::tag_error;

impl<C: Clock> Runtime<C> {
    /// `GetKeyPolicy`: only the `default` policy exists here.
    pub(super) fn get_key_policy_call(
        &self,
        caller: &Caller,
        key_id: &str,
        policy_name: Option<&str>,
    ) -> Result<String, KmsError> {
        // API_GetKeyPolicy: `kms:PolicyName` is `default` when the request names none.
        let name = policy_name.unwrap_or("default");
        let mut context = Context::new();
        context.insert_one("kms:PolicyName", name);
        let key = self.authorized_with(caller, "kms:GetKeyPolicy", key_id, context)?;
        match name {
            "default" => Ok(key.policy_text.clone()),
            other => Err(KmsError::new(
                ErrorName::NotFoundException,
                format!("No such policy exists: {other}"),
            )),
        }
    }

    /// `ListKeyPolicies`: `["default"]`.
    pub(super) fn list_key_policies_call(&self, caller: &Caller, key_id: &str) -> Result<Vec<&'static str>, KmsError> {
        self.authorized(caller, "kms:ListKeyPolicies", key_id)?;
        Ok(vec!["default"])
    }

    /// `PutKeyPolicy`: the rules of `CreateKey`'s policy, the lockout check
    /// unless bypassed, in every key state.
    pub(super) fn put_key_policy_call(
        &mut self,
        caller: &Caller,
        key_id: &str,
        policy: &str,
        bypass_policy_lockout_safety_check: bool,
    ) -> Result<(), KmsError> {
        let key = self.resolve_for(caller, key_id)?;
        let mut request = KmsRequest::new(caller.clone(), "kms:PutKeyPolicy", &key.arn);
        request.context.insert_one("kms:PolicyName", "default");
        if bypass_policy_lockout_safety_check {
            request.context.insert_one("kms:BypassPolicyLockoutSafetyCheck", "true");
        }
        self.authorize(&mut request, Some(key))?;
        let (id, arn) = (key.id.clone(), key.arn.clone());
        let compiled = self.compile_key_policy(&arn, policy)?;
        if !bypass_policy_lockout_safety_check {
            self.lockout_check(caller, &arn, &compiled)?;
        }
        self.modify(&id, Use::Read, |key, _| {
            key.policy_text = policy.to_owned();
            key.policy = compiled;
        })
        .map(|_| ())
    }

    /// `UpdateKeyDescription` (0–8192 characters).
    pub(super) fn update_key_description_call(
        &mut self,
        caller: &Caller,
        key_id: &str,
        description: &str,
    ) -> Result<KeyMetadata, KmsError> {
        if description.chars().count() > 8192 {
            return Err(KmsError::constraint(
                None,
                "description",
                "have length less than or equal to 8192",
            ));
        }
        self.change(caller, "kms:UpdateKeyDescription", key_id, Use::Manage, |key, _| {
            key.description = description.to_owned()
        })
    }

    /// `TagResource`: keys 1–128 characters, values 0–256, no `aws:` prefix,
    /// no key twice, at most 50 tags; existing keys get the new value.
    pub(super) fn tag_resource_call(
        &mut self,
        caller: &Caller,
        key_id: &str,
        tags: &[(String, String)],
    ) -> Result<(), KmsError> {
        super::tagging::check_tags(tags)?;
        let key = self.resolve_for(caller, key_id)?;
        let mut request = KmsRequest::new(caller.clone(), "kms:TagResource", &key.arn);
        super::tagging::add_request_tags(&mut request, tags);
        self.authorize(&mut request, Some(key))?;
        let mut merged = key.tags.clone();
        merged.extend(tags.iter().cloned());
        if merged.len() > MAX_TAGS {
            return Err(tag_error("Too many tags"));
        }
        let id = key.id.clone();
        self.modify(&id, Use::Manage, |key, _| key.tags = merged).map(|_| ())
    }

    /// `UntagResource`: absent keys are ignored.
    pub(super) fn untag_resource_call(
        &mut self,
        caller: &Caller,
        key_id: &str,
        tag_keys: &[String],
    ) -> Result<(), KmsError> {
        let key = self.resolve_for(caller, key_id)?;
        let mut request = KmsRequest::new(caller.clone(), "kms:UntagResource", &key.arn);
        super::tagging::add_tag_keys(&mut request, tag_keys.to_vec());
        self.authorize(&mut request, Some(key))?;
        let id = key.id.clone();
        self.modify(&id, Use::Manage, |key, _| {
            for tag_key in tag_keys {
                key.tags.remove(tag_key);
            }
        })
        .map(|_| ())
    }

    pub(super) fn list_resource_tags_call(
        &self,
        caller: &Caller,
        key_id: &str,
    ) -> Result<BTreeMap<String, String>, KmsError> {
        Ok(self.authorized(caller, "kms:ListResourceTags", key_id)?.tags.clone())
    }

    /// `UpdateAlias`: authorized on the alias's current key and on the new
    /// one; the new key may not be pending deletion (§3.3 footnote 10).
    pub(super) fn update_alias_call(
        &mut self,
        caller: &Caller,
        alias_name: &str,
        target_key_id: &str,
    ) -> Result<(), KmsError> {
        check_alias_name(alias_name)?;
        self.authorize_alias(caller, "kms:UpdateAlias", alias_name)?;
        let current = self.authorized(caller, "kms:UpdateAlias", alias_name)?.info;
        let target = self.authorized(caller, "kms:UpdateAlias", target_key_id)?;
        target.check(Use::Manage)?;
        // Reference §2.3: the new key must be of the same type (symmetric,
        // asymmetric or HMAC) and have the same key usage.
        if current.kind != target.info.kind || current.usage != target.info.usage {
            return Err(KmsError::new(
                ErrorName::ValidationException,
                format!(
                    "{alias_name} names a {} key with key usage {}; {} is a {} key with key usage {}. An alias can only move to a key of the same type and key usage.",
                    current.spec,
                    current.usage.as_str(),
                    target.arn,
                    target.info.spec,
                    target.info.usage.as_str()
                ),
            ));
        }
        let target_id = target.id.clone();
        if let Some(alias) = self.aliases.get_mut(alias_name) {
            alias.target_key_id = target_id;
        }
        Ok(())
    }

    /// `ListKeys` (an IAM-only action): every key of the account and Region.
    pub(super) fn list_keys_call(&self, caller: &Caller) -> Result<Vec<(String, String)>, KmsError> {
        self.authorize(&mut KmsRequest::new(caller.clone(), "kms:ListKeys", "*"), None)?;
        Ok(self.keys().map(|k| (k.id.clone(), k.arn.clone())).collect())
    }
}
