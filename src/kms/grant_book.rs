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
use super::tracked::Tracked;
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
    /// The tokens' hashes ([`token_hash`]): the tokens themselves are
    /// handed out once and kept nowhere.
    tokens: Vec<String>,
}

/// Where an entry sits: its key ARN, its place in creation order, its id;
/// so one key's grants are one range of the map, oldest first.
type Slot = (String, u64, String);

/// What `CreateGrant` returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    pub grant_id: String,
    pub grant_token: String,
}

/// The grants of some keys.
#[derive(Clone, Debug, Default)]
pub struct GrantBook {
    entries: Tracked<Slot, Entry>,
    /// The next creation-order number.
    serial: u64,
    /// Seconds before a new grant is usable without its token.
    propagation_delay: i64,
}

/// A grant token (or import token) as the state keeps it: lowercase hex SHA-256.
pub fn token_hash(token: impl AsRef<[u8]>) -> String {
    use sha2::{Digest, Sha256};
    crate::crypto::hex(&Sha256::digest(token.as_ref()))
}

fn not_found(key: &str) -> KmsError {
    KmsError::new(ErrorName::NotFoundException, format!("Grant not found for key {key}."))
}

pub(crate) fn invalid_token() -> KmsError {
    KmsError::new(ErrorName::InvalidGrantTokenException, "The grant token is not valid.")
}

impl GrantBook {
    pub fn new(propagation_delay_seconds: i64) -> GrantBook {
        GrantBook {
            propagation_delay: propagation_delay_seconds.max(0),
            ..GrantBook::default()
        }
    }

    /// The entries of one key, oldest first.
    fn of_key(&self, key: &str) -> impl Iterator<Item = (&Slot, &Entry)> + '_ {
        let key = key.to_owned();
        self.entries
            .range((key.clone(), 0, String::new())..)
            .take_while(move |((k, _, _), _)| *k == key)
    }

    fn slot_of(&self, key: &str, grant_id: &str) -> Option<Slot> {
        self.of_key(key)
            .find(|(slot, _)| slot.2 == grant_id)
            .map(|(slot, _)| slot.clone())
    }

    fn add(&mut self, entry: Entry) {
        let id = id_of(&entry.grant).unwrap_or_default().to_owned();
        self.serial += 1;
        self.entries.insert((entry.key.clone(), self.serial, id), entry);
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
            let same = self
                .of_key(key)
                .find(|(_, e)| same_request(&e.grant, &grant))
                .map(|(slot, _)| slot.clone());
            if let Some(slot) = same {
                let grant_token = mint();
                if let Some(entry) = self.entries.get_mut(&slot) {
                    entry.tokens.push(token_hash(&grant_token));
                }
                return Ok(Issued {
                    grant_id: slot.2,
                    grant_token,
                });
            }
        }
        if self.of_key(key).count() >= MAX_GRANTS_PER_KEY {
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
        self.add(Entry {
            key: key.to_owned(),
            grant,
            created_at: now,
            tokens: vec![token_hash(&grant_token)],
        });
        Ok(Issued { grant_id, grant_token })
    }

    /// The grants of `key` a request may use at `now`: those past the
    /// propagation delay, and those whose token it presents. An unknown
    /// token fails with `InvalidGrantTokenException` (§6.7).
    pub fn usable(&self, key: &str, tokens: &[String], now: i64) -> Result<Vec<&Grant>, KmsError> {
        let presented: Vec<String> = tokens.iter().map(token_hash).collect();
        if presented
            .iter()
            .any(|t| !self.entries.values().any(|e| e.tokens.contains(t)))
        {
            return Err(invalid_token());
        }
        Ok(self
            .of_key(key)
            .map(|(_, e)| e)
            .filter(|e| now >= e.created_at + self.propagation_delay || e.tokens.iter().any(|t| presented.contains(t)))
            .map(|e| &e.grant)
            .collect())
    }

    /// Whether `token` is the token of one of this book's grants.
    pub fn knows(&self, token: &str) -> bool {
        let hash = token_hash(token);
        self.entries.values().any(|e| e.tokens.contains(&hash))
    }

    /// The grant a token belongs to, for `RetireGrant` by token.
    pub fn by_token(&self, token: &str) -> Result<&Grant, KmsError> {
        let hash = token_hash(token);
        self.entries
            .values()
            .find(|e| e.tokens.contains(&hash))
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
        self.of_key(key)
            .find(|(slot, _)| slot.2 == grant_id)
            .map(|(_, e)| &e.grant)
            .ok_or_else(|| not_found(key))
    }

    /// Deletes a grant (after `RetireGrant` or `RevokeGrant` was authorized).
    pub fn remove(&mut self, key: &str, grant_id: &str) -> Result<Grant, KmsError> {
        let slot = self.slot_of(key, grant_id).ok_or_else(|| not_found(key))?;
        self.entries
            .remove(&slot)
            .map(|e| e.grant)
            .ok_or_else(|| not_found(key))
    }

    /// Drops every grant of a deleted key.
    pub fn remove_key(&mut self, key: &str) {
        let slots: Vec<Slot> = self.of_key(key).map(|(slot, _)| slot.clone()).collect();
        for slot in slots {
            self.entries.remove(&slot);
        }
    }

    /// `ListGrants`: the grants of a key, optionally one id or one grantee.
    pub fn list(&self, key: &str, grant_id: Option<&str>, grantee: Option<&str>) -> Vec<&Grant> {
        self.of_key(key)
            .map(|(_, e)| e)
            .filter(|e| grant_id.is_none_or(|id| id_of(&e.grant) == Some(id)))
            .filter(|e| grantee.is_none_or(|g| grantee_of(&e.grant) == g))
            .map(|e| &e.grant)
            .collect()
    }

    /// `ListRetirableGrants`: every grant (on any key) naming this retiring principal.
    pub fn list_retirable(&self, retiring_principal: &str) -> Vec<&Grant> {
        let mut entries: Vec<(&Slot, &Entry)> = self
            .entries
            .iter()
            .filter(|(_, e)| {
                let r = &e.grant;
                r.retiring_principal
                    .as_ref()
                    .or(r.retiring_service_principal.as_ref())
                    .is_some_and(|p| p.node == retiring_principal)
            })
            .collect();
        entries.sort_by_key(|(slot, _)| slot.1);
        entries.into_iter().map(|(_, e)| &e.grant).collect()
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
/// `ListGrants` shape), when it was made, and its tokens' hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredGrant {
    pub grant_id: String,
    pub key: String,
    pub grant_json: String,
    pub created_at: i64,
    pub tokens: Vec<String>,
}

impl GrantBook {
    fn stored(entry: &Entry) -> StoredGrant {
        StoredGrant {
            grant_id: id_of(&entry.grant).unwrap_or_default().to_owned(),
            key: entry.key.clone(),
            grant_json: crate::policy::fmt::grants_json(&crate::policy::Grants {
                shape: crate::policy::GrantsShape::One,
                grants: vec![Spanned::new(entry.grant.clone(), Span::default())],
            }),
            created_at: entry.created_at,
            tokens: entry.tokens.clone(),
        }
    }

    /// Every grant, oldest first, for a store to save.
    pub fn export(&self) -> Vec<StoredGrant> {
        let mut entries: Vec<(&Slot, &Entry)> = self.entries.iter().collect();
        entries.sort_by_key(|(slot, _)| slot.1);
        entries.into_iter().map(|(_, e)| Self::stored(e)).collect()
    }

    /// The grants changed since the last settle: `Ok` to write, `Err(id)`
    /// removed.
    pub fn changed(&self) -> Vec<Result<StoredGrant, String>> {
        self.entries
            .changed()
            .map(|(slot, entry)| entry.map(Self::stored).ok_or_else(|| slot.2.clone()))
            .collect()
    }

    pub fn settle(&mut self) {
        self.entries.settle();
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every grant (recorded as changes).
    pub fn clear(&mut self) {
        self.entries.retain(|_, _| false);
    }

    pub fn rollback(&mut self) {
        self.entries.rollback();
    }

    pub fn savepoint(&mut self) {
        self.entries.savepoint();
    }

    pub fn undo_to_savepoint(&mut self) {
        self.entries.undo_to_savepoint();
    }

    /// Applies a grant another process saved (or removed), without recording it.
    pub fn apply(&mut self, grant_id: &str, stored: Option<StoredGrant>) -> Result<(), String> {
        let existing = self.entries.keys().find(|slot| slot.2 == grant_id).cloned();
        let entry = stored.map(Self::entry).transpose()?;
        match (existing, entry) {
            (Some(slot), entry) => self.entries.apply(slot, entry),
            (None, Some(entry)) => {
                self.serial += 1;
                self.entries
                    .apply((entry.key.clone(), self.serial, grant_id.to_owned()), Some(entry));
            }
            (None, None) => {}
        }
        Ok(())
    }

    fn entry(s: StoredGrant) -> Result<Entry, String> {
        let source = crate::source::Source::new("stored grant", s.grant_json.as_str());
        let grant = match crate::policy::Document::parse(&source, Some(crate::policy::DocumentKind::Grants)) {
            Ok(crate::policy::Document::Grants(mut g)) if g.grants.len() == 1 => g.grants.remove(0).node,
            _ => return Err(format!("a stored grant of key {} does not read back", s.key)),
        };
        if grant.grant_id.as_ref().is_none_or(|id| id.node.is_empty()) {
            return Err(format!("a stored grant of key {} has no grant id", s.key));
        }
        Ok(Entry {
            key: s.key,
            grant,
            created_at: s.created_at,
            tokens: s.tokens,
        })
    }

    /// Rebuilds a book from what a store saved, oldest first; a grant that
    /// no longer reads is an error naming it.
    pub fn import(propagation_delay_seconds: i64, stored: Vec<StoredGrant>) -> Result<GrantBook, String> {
        let mut book = GrantBook::new(propagation_delay_seconds);
        for s in stored {
            book.add(Self::entry(s)?);
        }
        book.entries.settle();
        Ok(book)
    }
}
