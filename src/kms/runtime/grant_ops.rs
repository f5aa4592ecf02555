//! The grant operations wired to the runtime: `CreateGrant`, `ListGrants`,
//! `ListRetirableGrants`, `RetireGrant` and `RevokeGrant`, with the rules of
//! `kms::create_grant` and the state in the runtime's [`GrantBook`](crate::kms::GrantBook).

use super::key::Use;
use super::{Clock, Runtime};
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::grant_book::Issued;
use crate::kms::request::KmsRequest;
use crate::policy::Grant;

fn random_id() -> String {
    crate::crypto::hex(&crate::crypto::random_bytes(32))
}

impl<C: Clock> Runtime<C> {
    /// `CreateGrant`: validated for the key, authorized with the
    /// `kms:Grant*` keys of the new grant (or within a parent grant).
    pub(super) fn create_grant_call(
        &mut self,
        caller: &Caller,
        key_id: &str,
        grant: Grant,
        grant_tokens: &[String],
    ) -> Result<Issued, KmsError> {
        let key = self.resolve_for(caller, key_id)?;
        crate::kms::validate_grant(&grant, key.info)?;
        let mut request = KmsRequest::new(caller.clone(), "kms:CreateGrant", &key.arn);
        request.create_grant = Some(grant.clone());
        request.grant_tokens = grant_tokens.to_vec();
        self.authorize(&mut request, Some(key))?;
        key.check(Use::Crypto)?;
        let (arn, now) = (key.arn.clone(), self.clock.now());
        let issuing = caller.account.clone().unwrap_or_else(|| self.account.clone());
        self.grants.create(&arn, &issuing, grant, now, &mut random_id)
    }

    /// `ListGrants`, optionally one grant id or one grantee.
    pub(super) fn list_grants_call(
        &self,
        caller: &Caller,
        key_id: &str,
        grant_id: Option<&str>,
        grantee: Option<&str>,
    ) -> Result<Vec<Grant>, KmsError> {
        let key = self.authorized(caller, "kms:ListGrants", key_id)?;
        Ok(self
            .grants
            .list(&key.arn, grant_id, grantee)
            .into_iter()
            .cloned()
            .collect())
    }

    /// `ListRetirableGrants` (an IAM-only action).
    pub(super) fn list_retirable_grants_call(
        &self,
        caller: &Caller,
        retiring_principal: &str,
    ) -> Result<Vec<Grant>, KmsError> {
        self.authorize(
            &mut KmsRequest::new(caller.clone(), "kms:ListRetirableGrants", "*"),
            None,
        )?;
        Ok(self
            .grants
            .list_retirable(retiring_principal)
            .into_iter()
            .cloned()
            .collect())
    }

    /// `RetireGrant`, by token or by key and grant id; authorized by the
    /// grant itself (§6.6), in any key state.
    pub(super) fn retire_grant_call(
        &mut self,
        caller: &Caller,
        grant_token: Option<&str>,
        key_and_grant_id: Option<(&str, &str)>,
    ) -> Result<(), KmsError> {
        let grant = match (grant_token, key_and_grant_id) {
            (Some(token), _) => self.grants.by_token(token)?.clone(),
            (None, Some((key_id, grant_id))) => {
                let key = self.resolve_for(caller, key_id)?;
                self.grants.by_id(&key.arn, grant_id)?.clone()
            }
            (None, None) => {
                return Err(KmsError::new(
                    ErrorName::ValidationException,
                    "Either grant token or key ID and grant ID must be specified.",
                ))
            }
        };
        let key_arn = grant.key_id.as_ref().map(|k| k.node.clone()).unwrap_or_default();
        let grant_id = grant.grant_id.as_ref().map(|g| g.node.clone()).unwrap_or_default();
        let key = self.resolve(&key_arn)?;
        let mut request = KmsRequest::new(caller.clone(), "kms:RetireGrant", &key.arn);
        request.grant_id = Some(grant_id.clone());
        if let Some(token) = grant_token {
            request.grant_tokens = vec![token.to_owned()];
        }
        self.authorize(&mut request, Some(key))?;
        self.grants.remove(&key_arn, &grant_id).map(|_| ())
    }

    /// `RevokeGrant`: authorized by `kms:RevokeGrant` through the policies.
    pub(super) fn revoke_grant_call(&mut self, caller: &Caller, key_id: &str, grant_id: &str) -> Result<(), KmsError> {
        let arn = self.authorized(caller, "kms:RevokeGrant", key_id)?.arn.clone();
        self.grants.by_id(&arn, grant_id)?;
        self.grants.remove(&arn, grant_id).map(|_| ())
    }
}
