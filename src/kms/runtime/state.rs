//! The runtime's state as a store saves and restores it. Key material is
//! here in the clear, in zeroizing buffers: a store must wrap it under its
//! root key before writing it anywhere.

use std::collections::BTreeMap;

use super::key::{Key, KeyManager, KeyState, Material, Origin, Rotation};
use super::{Alias, Clock, Runtime};
use crate::crypto::{KeyMaterial, MaterialId};
use crate::kms::grant_book::{GrantBook, StoredGrant};
use crate::kms::key_spec::KeyInfo;

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
}

impl KeyState {
    pub fn parse(text: &str) -> Option<KeyState> {
        [KeyState::Enabled, KeyState::Disabled, KeyState::PendingDeletion]
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

impl<C: Clock> Runtime<C> {
    /// The state to save.
    pub fn export(&self) -> State {
        State {
            account: self.account.clone(),
            region: self.region.clone(),
            keys: self
                .keys()
                .chain(self.owned_keys())
                .map(|k| StoredKey {
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
                })
                .collect(),
            aliases: self.aliases().cloned().collect(),
            grants: self.grants.export(),
        }
    }

    /// Replaces the keys, aliases and grants with saved ones. A saved key
    /// whose policy or spec no longer reads is an error naming it.
    pub fn restore(&mut self, state: State) -> Result<(), String> {
        let mut keys = BTreeMap::new();
        let mut owned = BTreeMap::new();
        for stored in state.keys {
            let info = KeyInfo::parse(&stored.key_spec, Some(&stored.key_usage)).ok_or_else(|| {
                format!(
                    "key {}: unknown spec {} / usage {}",
                    stored.id, stored.key_spec, stored.key_usage
                )
            })?;
            let policy = self
                .compile_key_policy(&stored.arn, &stored.policy_text)
                .map_err(|e| format!("key {}: {e}", stored.id))?;
            let account = crate::eval::value::arn_account(&stored.arn)
                .unwrap_or(&self.account)
                .to_owned();
            let key = Key {
                id: stored.id.clone(),
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
            };
            match key.manager {
                KeyManager::AwsOwned => owned.insert(key.description.clone(), key),
                KeyManager::Customer | KeyManager::Aws => keys.insert(stored.id, key),
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
