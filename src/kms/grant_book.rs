//! The grants of a set of keys as `CreateGrant`, `RetireGrant`,
//! `RevokeGrant`, `ListGrants` and `ListRetirableGrants` see them (§6.5–§6.7),
//! without storage: the runtime persists a [`GrantBook`] and supplies the
//! time and the random ids.
//!
//! Eventual consistency is modelled: a new grant is usable at once by a
//! request that presents one of its tokens, and by everyone once the
//! propagation delay has passed on the runtime's clock (default 0, so a
//! simulation sees new grants at once).

use super::error::{ErrorName, KmsError};
use crate::policy::{Grant, Grantee};
use crate::source::{Span, Spanned};

/// At most this many grants on one key (AWS quota, §6.1).
pub const MAX_GRANTS_PER_KEY: usize = 50_000;

/// A grant with what the book knows about it.
#[derive(Clone, Debug, PartialEq)]
struct Entry {
    /// The key ARN.
    key: String,
    grant: Grant,
    /// Seconds since the Unix epoch.
    created_at: i64,
    tokens: Vec<String>,
}

/// What `CreateGrant` returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    pub grant_id: String,
    pub grant_token: String,
}

/// The grants of some keys.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GrantBook {
    entries: Vec<Entry>,
    /// Seconds before a new grant is usable without its token.
    propagation_delay: i64,
}

fn not_found(key: &str) -> KmsError {
    KmsError::new(ErrorName::NotFoundException, format!("Grant not found for key {key}."))
}

fn invalid_token() -> KmsError {
    KmsError::new(ErrorName::InvalidGrantTokenException, "The grant token is not valid.")
}

impl GrantBook {
    pub fn new(propagation_delay_seconds: i64) -> GrantBook {
        GrantBook {
            entries: Vec::new(),
            propagation_delay: propagation_delay_seconds.max(0),
        }
    }

    /// Records a grant already validated (`kms::validate_grant`) and
    /// authorized. With a `Name` matching a grant of the same key and the
    /// same properties, returns that grant's id with a new token (§6.5).
    /// `mint` supplies fresh random ids and tokens.
    pub fn create(
        &mut self,
        key: &str,
        issuing_account: &str,
        mut grant: Grant,
        now: i64,
        mint: &mut dyn FnMut() -> String,
    ) -> Result<Issued, KmsError> {
        if grant.name.is_some() {
            if let Some(entry) = self
                .entries
                .iter_mut()
                .find(|e| e.key == key && same_request(&e.grant, &grant))
            {
                let grant_token = mint();
                entry.tokens.push(grant_token.clone());
                let grant_id = entry
                    .grant
                    .grant_id
                    .as_ref()
                    .map(|g| g.node.clone())
                    .unwrap_or_default();
                return Ok(Issued { grant_id, grant_token });
            }
        }
        if self.entries.iter().filter(|e| e.key == key).count() >= MAX_GRANTS_PER_KEY {
            return Err(KmsError::new(
                ErrorName::LimitExceededException,
                format!("The grant quota of {MAX_GRANTS_PER_KEY} for key {key} is reached."),
            ));
        }
        let grant_id = mint();
        let grant_token = mint();
        let spanless = |s: String| Spanned::new(s, Span::default());
        grant.key_id = Some(spanless(key.to_owned()));
        grant.grant_id = Some(spanless(grant_id.clone()));
        grant.issuing_account = Some(spanless(format!("arn:aws:iam::{issuing_account}:root")));
        grant.creation_date = Some(Spanned::new(
            crate::policy::Scalar::Number(now.to_string()),
            Span::default(),
        ));
        grant.grant_tokens = None;
        grant.dry_run = None;
        self.entries.push(Entry {
            key: key.to_owned(),
            grant,
            created_at: now,
            tokens: vec![grant_token.clone()],
        });
        Ok(Issued { grant_id, grant_token })
    }

    /// The grants of `key` a request may use at `now`: those past the
    /// propagation delay, and those whose token it presents. An unknown
    /// token fails with `InvalidGrantTokenException` (§6.7).
    pub fn usable(&self, key: &str, tokens: &[String], now: i64) -> Result<Vec<&Grant>, KmsError> {
        if tokens
            .iter()
            .any(|t| !self.entries.iter().any(|e| e.tokens.contains(t)))
        {
            return Err(invalid_token());
        }
        Ok(self
            .entries
            .iter()
            .filter(|e| e.key == key)
            .filter(|e| now >= e.created_at + self.propagation_delay || e.tokens.iter().any(|t| tokens.contains(t)))
            .map(|e| &e.grant)
            .collect())
    }

    /// The grant a token belongs to, for `RetireGrant` by token.
    pub fn by_token(&self, token: &str) -> Result<&Grant, KmsError> {
        self.entries
            .iter()
            .find(|e| e.tokens.iter().any(|t| t == token))
            .map(|e| &e.grant)
            .ok_or_else(invalid_token)
    }

    /// The grant `grant_id` of `key`, for `RetireGrant`/`RevokeGrant` by id.
    pub fn by_id(&self, key: &str, grant_id: &str) -> Result<&Grant, KmsError> {
        if grant_id.is_empty() || grant_id.len() > 128 {
            return Err(KmsError::new(
                ErrorName::InvalidGrantIdException,
                "The grant ID is not valid.",
            ));
        }
        self.entries
            .iter()
            .find(|e| e.key == key && id_of(&e.grant) == Some(grant_id))
            .map(|e| &e.grant)
            .ok_or_else(|| not_found(key))
    }

    /// Deletes a grant (after `RetireGrant` or `RevokeGrant` was authorized).
    pub fn remove(&mut self, key: &str, grant_id: &str) -> Result<Grant, KmsError> {
        let at = self
            .entries
            .iter()
            .position(|e| e.key == key && id_of(&e.grant) == Some(grant_id))
            .ok_or_else(|| not_found(key))?;
        Ok(self.entries.remove(at).grant)
    }

    /// Drops every grant of a deleted key.
    pub fn remove_key(&mut self, key: &str) {
        self.entries.retain(|e| e.key != key);
    }

    /// `ListGrants`: the grants of a key, optionally one id or one grantee.
    pub fn list(&self, key: &str, grant_id: Option<&str>, grantee: Option<&str>) -> Vec<&Grant> {
        self.entries
            .iter()
            .filter(|e| e.key == key)
            .filter(|e| grant_id.is_none_or(|id| id_of(&e.grant) == Some(id)))
            .filter(|e| grantee.is_none_or(|g| grantee_of(&e.grant) == g))
            .map(|e| &e.grant)
            .collect()
    }

    /// `ListRetirableGrants`: every grant (on any key) naming this retiring principal.
    pub fn list_retirable(&self, retiring_principal: &str) -> Vec<&Grant> {
        self.entries
            .iter()
            .filter(|e| {
                let r = &e.grant;
                r.retiring_principal
                    .as_ref()
                    .or(r.retiring_service_principal.as_ref())
                    .is_some_and(|p| p.node == retiring_principal)
            })
            .map(|e| &e.grant)
            .collect()
    }
}

fn id_of(grant: &Grant) -> Option<&str> {
    grant.grant_id.as_ref().map(|g| g.node.as_str())
}

fn grantee_of(grant: &Grant) -> &str {
    match &grant.grantee.node {
        Grantee::Principal(p) | Grantee::ServicePrincipal(p) => p,
    }
}

/// Same name and properties: the request that created `existing` again.
fn same_request(existing: &Grant, new: &Grant) -> bool {
    existing.name == new.name
        && existing.grantee == new.grantee
        && existing.retiring_principal == new.retiring_principal
        && existing.retiring_service_principal == new.retiring_service_principal
        && existing.operations == new.operations
        && existing.constraints == new.constraints
}

/// One grant as a store keeps it: the grant in its canonical JSON (the
/// `ListGrants` shape), when it was made, and its tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredGrant {
    pub grant_id: String,
    pub key: String,
    pub grant_json: String,
    pub created_at: i64,
    pub tokens: Vec<String>,
}

impl GrantBook {
    /// Every grant, for a store to save.
    pub fn export(&self) -> Vec<StoredGrant> {
        self.entries
            .iter()
            .map(|e| StoredGrant {
                grant_id: e.grant.grant_id.as_ref().map(|g| g.node.clone()).unwrap_or_default(),
                key: e.key.clone(),
                grant_json: crate::policy::fmt::grants_json(&crate::policy::Grants {
                    shape: crate::policy::GrantsShape::One,
                    grants: vec![Spanned::new(e.grant.clone(), Span::default())],
                }),
                created_at: e.created_at,
                tokens: e.tokens.clone(),
            })
            .collect()
    }

    /// Rebuilds a book from what a store saved; a grant that no longer
    /// reads is an error naming it.
    pub fn import(propagation_delay_seconds: i64, stored: Vec<StoredGrant>) -> Result<GrantBook, String> {
        let mut book = GrantBook::new(propagation_delay_seconds);
        for s in stored {
            let source = crate::source::Source::new("stored grant", s.grant_json.as_str());
            let grant = match crate::policy::Document::parse(&source, Some(crate::policy::DocumentKind::Grants)) {
                Ok(crate::policy::Document::Grants(mut g)) if g.grants.len() == 1 => g.grants.remove(0).node,
                _ => return Err(format!("a stored grant of key {} does not read back", s.key)),
            };
            if grant.grant_id.as_ref().is_none_or(|id| id.node.is_empty()) {
                return Err(format!("a stored grant of key {} has no grant id", s.key));
            }
            book.entries.push(Entry {
                key: s.key,
                grant,
                created_at: s.created_at,
                tokens: s.tokens,
            });
        }
        Ok(book)
    }
}
