//! The runtime's state as a store saves and restores it. Key material is
//! here in the clear, in zeroizing buffers: a store must wrap it under its
//! root key before writing it anywhere.

use std::collections::BTreeMap;

use super::key::{Key, KeyManager, KeyState, Material, Origin, Rotation};
use super::{Alias, Clock, Runtime};
use crate::crypto::{KeyMaterial, MaterialId};
use crate::kms::grant_book::{GrantBook, StoredGrant};
use crate::kms::key_spec::KeyInfo;
use crate::kms::store::Row;

/// One key, without anything derived from its policy.
#[derive(Clone, Debug)]
pub struct StoredKey {
    pub id: String,
    pub arn: String,
    pub manager: KeyManager,
    /// For an AWS owned key, the service that owns it.
    pub description: String,
    pub state: KeyState,
    pub key_spec: String,
    pub key_usage: String,
    pub created: i64,
    pub deletion_date: Option<i64>,
    pub policy_text: String,
    pub materials: Vec<StoredMaterial>,
    pub rotation: Option<Rotation>,
    pub tags: BTreeMap<String, String>,
    /// A multi-Region key's copies, and a pending primary's waiting period.
    pub replication: Option<super::multi_region::Replication>,
    pub pending_window_days: Option<i64>,
    /// A key of origin `EXTERNAL`.
    pub external: Option<super::imported::External>,
    /// A key of a custom key store.
    pub custom_key_store: Option<super::custom_key_stores::InStore>,
}

/// One version of key material.
#[derive(Clone, Debug)]
pub struct StoredMaterial {
    pub id: MaterialId,
    pub material: KeyMaterial,
    pub created: i64,
    pub origin: Origin,
}

/// Everything a store keeps (the audit log is appended separately).
#[derive(Clone, Debug)]
pub struct State {
    pub account: String,
    pub region: String,
    pub keys: Vec<StoredKey>,
    pub aliases: Vec<Alias>,
    pub grants: Vec<StoredGrant>,
    pub custom_key_stores: Vec<super::CustomKeyStore>,
    /// Import tokens handed out and not yet used (`GetParametersForImport`).
    pub imports: Vec<super::StoredImport>,
}

impl KeyState {
    pub fn parse(text: &str) -> Option<KeyState> {
        [
            KeyState::Enabled,
            KeyState::Disabled,
            KeyState::PendingDeletion,
            KeyState::PendingReplicaDeletion,
            KeyState::PendingImport,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

impl Origin {
    pub const fn as_str(self) -> &'static str {
        match self {
            Origin::Initial => "INITIAL",
            Origin::Automatic => "AUTOMATIC",
            Origin::OnDemand => "ON_DEMAND",
        }
    }

    pub fn parse(text: &str) -> Option<Origin> {
        [Origin::Initial, Origin::Automatic, Origin::OnDemand]
            .into_iter()
            .find(|o| o.as_str() == text)
    }
}

fn stored(k: &Key) -> StoredKey {
    StoredKey {
        id: k.id.clone(),
        arn: k.arn.clone(),
        manager: k.manager,
        description: k.description.clone(),
        state: k.state,
        key_spec: k.info.spec.to_owned(),
        key_usage: k.info.usage.as_str().to_owned(),
        created: k.created,
        deletion_date: k.deletion_date,
        policy_text: k.policy_text.clone(),
        materials: k
            .materials
            .iter()
            .map(|m| StoredMaterial {
                id: m.id,
                material: m.material.clone(),
                created: m.created,
                origin: m.origin,
            })
            .collect(),
        rotation: k.rotation,
        tags: k.tags.clone(),
        replication: k.replication.clone(),
        pending_window_days: k.pending_window_days,
        external: k.external.clone(),
        custom_key_store: k.custom_key_store.clone(),
    }
}

impl<C: Clock> Runtime<C> {
    /// The state to save.
    pub fn export(&self) -> State {
        State {
            account: self.account.clone(),
            region: self.region.clone(),
            keys: self.keys().chain(self.owned_keys()).map(stored).collect(),
            aliases: self.aliases().cloned().collect(),
            grants: self.grants.export(),
            custom_key_stores: self.custom_key_stores().cloned().collect(),
            imports: self.imports.values().cloned().collect(),
        }
    }

    /// A saved key as the runtime keeps it; an error names a key whose
    /// policy or spec no longer reads.
    fn key_from(&self, stored: StoredKey) -> Result<Key, String> {
        let info = KeyInfo::parse(&stored.key_spec, Some(&stored.key_usage)).ok_or_else(|| {
            format!(
                "key {}: unknown spec {} / usage {}",
                stored.id, stored.key_spec, stored.key_usage
            )
        })?;
        let policy = self
            .compile_key_policy(&stored.arn, &stored.policy_text)
            .map_err(|e| format!("key {}: {e}", stored.id))?;
        let account = crate::arn::Arn::parse(&stored.arn)
            .and_then(|a| a.account_id())
            .unwrap_or(&self.account)
            .to_owned();
        Ok(Key {
            id: stored.id,
            arn: stored.arn,
            account,
            manager: stored.manager,
            description: stored.description,
            state: stored.state,
            info,
            created: stored.created,
            deletion_date: stored.deletion_date,
            policy_text: stored.policy_text,
            policy,
            materials: stored
                .materials
                .into_iter()
                .map(|m| Material {
                    id: m.id,
                    material: m.material,
                    created: m.created,
                    origin: m.origin,
                })
                .collect(),
            rotation: stored.rotation,
            tags: stored.tags,
            replication: stored.replication,
            pending_window_days: stored.pending_window_days,
            external: stored.external,
            unavailable: self.store_unavailable(stored.custom_key_store.as_ref()),
            custom_key_store: stored.custom_key_store,
        })
    }

    /// Replaces the keys, aliases and grants with saved ones. A saved key
    /// whose policy or spec no longer reads is an error naming it.
    pub fn restore(&mut self, state: State) -> Result<(), String> {
        // Before the keys: a key's availability follows its store.
        self.stores = state.custom_key_stores.into_iter().map(|s| (s.id.clone(), s)).collect();
        self.stores.settle();
        self.imports = state.imports.into_iter().map(|i| (i.token_hash.clone(), i)).collect();
        let mut keys = BTreeMap::new();
        let mut owned = BTreeMap::new();
        for stored in state.keys {
            let key = self.key_from(stored)?;
            match key.manager {
                KeyManager::AwsOwned => owned.insert(key.description.clone(), key),
                KeyManager::Customer | KeyManager::Aws => keys.insert(key.id.clone(), key),
            };
        }
        let grants = GrantBook::import(0, state.grants)?;
        self.replace(
            keys,
            owned,
            state.aliases.into_iter().map(|a| (a.name.clone(), a)).collect(),
            grants,
        );
        Ok(())
    }

    /// The rows changed since the last [`settle`](Self::settle), for the
    /// store: what one call wrote.
    pub fn changes(&self) -> Vec<Row> {
        // Stores first: a process applying these rows sees a store's
        // connection before the keys whose availability follows it.
        let stores = self.stores.changed().map(|(id, store)| {
            store.map_or_else(
                || Row::CustomKeyStoreRemoved(id.clone()),
                |s| Row::CustomKeyStore(s.clone()),
            )
        });
        let keys = self
            .keys
            .changed()
            .map(|(id, key)| key.map_or_else(|| Row::KeyRemoved(id.clone()), |k| Row::Key(stored(k))));
        // An AWS owned key is kept by service name; its row is by key id.
        let owned = self
            .owned
            .changed()
            .filter_map(|(_, key)| key.map(|k| Row::Key(stored(k))));
        let aliases = self
            .aliases
            .changed()
            .map(|(name, alias)| alias.map_or_else(|| Row::AliasRemoved(name.clone()), |a| Row::Alias(a.clone())));
        let grants = self
            .grants
            .changed()
            .into_iter()
            .map(|g| g.map_or_else(Row::GrantRemoved, Row::Grant));
        let imports = self
            .imports
            .changed()
            .map(|(hash, import)| import.map_or_else(|| Row::ImportRemoved(hash.clone()), |i| Row::Import(i.clone())));
        stores
            .chain(keys)
            .chain(owned)
            .chain(aliases)
            .chain(grants)
            .chain(imports)
            .collect()
    }

    /// The changes are saved: forget them.
    pub fn settle(&mut self) {
        self.imports.settle();
        self.stores.settle();
        self.keys.settle();
        self.owned.settle();
        self.aliases.settle();
        self.grants.settle();
    }

    /// Marks the state now, so that [`undo_to_savepoint`](Self::undo_to_savepoint)
    /// takes back what a call does after it and nothing before (a `DryRun`).
    pub fn savepoint(&mut self) {
        self.imports.savepoint();
        self.stores.savepoint();
        self.keys.savepoint();
        self.owned.savepoint();
        self.aliases.savepoint();
        self.grants.savepoint();
    }

    pub fn undo_to_savepoint(&mut self) {
        self.imports.undo_to_savepoint();
        self.stores.undo_to_savepoint();
        self.keys.undo_to_savepoint();
        self.owned.undo_to_savepoint();
        self.aliases.undo_to_savepoint();
        self.grants.undo_to_savepoint();
    }

    /// The changes could not be saved: undo every one.
    pub fn rollback(&mut self) {
        self.imports.rollback();
        self.stores.rollback();
        self.keys.rollback();
        self.owned.rollback();
        self.aliases.rollback();
        self.grants.rollback();
    }

    /// Applies a row another process committed, without recording it as a
    /// change of this runtime's.
    pub fn apply(&mut self, row: Row) -> Result<(), String> {
        match row {
            Row::Key(stored) => {
                let key = self.key_from(stored)?;
                match key.manager {
                    KeyManager::AwsOwned => self.owned.apply(key.description.clone(), Some(key)),
                    KeyManager::Customer | KeyManager::Aws => self.keys.apply(key.id.clone(), Some(key)),
                }
            }
            Row::KeyRemoved(id) => {
                self.keys.apply(id.clone(), None);
                let owned: Vec<String> = self
                    .owned
                    .iter()
                    .filter(|(_, k)| k.id == id)
                    .map(|(s, _)| s.clone())
                    .collect();
                for service in owned {
                    self.owned.apply(service, None);
                }
            }
            Row::Alias(alias) => self.aliases.apply(alias.name.clone(), Some(alias)),
            Row::AliasRemoved(name) => self.aliases.apply(name, None),
            Row::Grant(grant) => self.grants.apply(&grant.grant_id.clone(), Some(grant))?,
            Row::GrantRemoved(id) => self.grants.apply(&id, None)?,
            Row::CustomKeyStore(store) => self.stores.apply(store.id.clone(), Some(store)),
            Row::CustomKeyStoreRemoved(id) => self.stores.apply(id, None),
            Row::Import(import) => self.imports.apply(import.token_hash.clone(), Some(import)),
            Row::ImportRemoved(hash) => self.imports.apply(hash, None),
        }
        Ok(())
    }

    /// The ids of the keys here (AWS owned keys included).
    pub fn key_ids(&self) -> Vec<String> {
        self.keys().chain(self.owned_keys()).map(|k| k.id.clone()).collect()
    }

    /// Removes every key, alias, grant and import token, as changes to commit.
    pub fn clear(&mut self) {
        self.imports.retain(|_, _| false);
        self.stores.retain(|_, _| false);
        self.keys.retain(|_, _| false);
        self.owned.retain(|_, _| false);
        self.aliases.retain(|_, _| false);
        self.grants.clear();
    }

    /// Whether the runtime holds nothing (no key, alias, grant, store or
    /// import token).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
            && self.owned.is_empty()
            && self.aliases.is_empty()
            && self.grants.is_empty()
            && self.stores.is_empty()
            && self.imports.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Runtime, SimulatedClock};
    use crate::eval::Caller;

    #[test]
    fn export_then_restore_keeps_keys_aliases_grants_and_ciphertexts_working() {
        let root = Caller::parse("arn:aws:iam::111122223333:root").unwrap();
        let mut rt = Runtime::new("111122223333", "us-east-1", SimulatedClock::at(0));
        let key = rt.create_key(&root, Some("d"), None, false).unwrap();
        rt.create_alias(&root, "alias/app", &key.key_id).unwrap();
        rt.rotate_key_on_demand(&root, &key.key_id).unwrap();
        let blob = rt
            .encrypt(&root, "alias/app", b"kept", &Default::default(), &[])
            .unwrap()
            .ciphertext_blob;
        let grant = crate::policy::Document::parse(
            &crate::source::Source::new(
                "g",
                r#"{"GranteePrincipal": "arn:aws:iam::111122223333:user/u", "Operations": ["Decrypt"]}"#,
            ),
            None,
        )
        .unwrap();
        let crate::policy::Document::Grants(g) = grant else {
            panic!()
        };
        rt.create_grant(&root, &key.key_id, g.grants[0].node.clone(), &[])
            .unwrap();

        let mut restored = Runtime::new("111122223333", "us-east-1", SimulatedClock::at(0));
        restored.restore(rt.export()).unwrap();
        assert_eq!(
            restored.describe_key(&root, "alias/app").unwrap(),
            rt.describe_key(&root, "alias/app").unwrap()
        );
        let user = Caller::parse("arn:aws:iam::111122223333:user/u").unwrap();
        assert_eq!(
            restored
                .decrypt(&user, &blob, None, &Default::default(), &[])
                .unwrap()
                .plaintext
                .as_slice(),
            b"kept"
        );
        assert_eq!(restored.list_key_rotations(&root, &key.key_id).unwrap().len(), 1);
    }
}
