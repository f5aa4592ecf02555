//! One service of the catalogue: its actions (with the resource types they
//! are authorized on and the condition keys they support), its condition keys
//! and its resource types' ARN formats. Parsed from its line on first use.

use std::collections::HashMap;

use serde::Deserialize;

use super::key::{find_key, Key, KeyFacts};
use super::pattern;

/// One action of a service.
#[derive(Debug)]
pub struct Action {
    pub name: String,
    /// Resource types it can be authorized on; empty means only `*`.
    pub resource_types: Vec<String>,
    /// Index into [`Service::sets`].
    keys: usize,
}

/// One service's actions and condition keys, sorted by name.
#[derive(Debug, Default)]
pub struct Service {
    pub actions: Vec<Action>,
    /// Key names as documented (templates such as `aws:ResourceTag/${TagKey}`).
    keys: Vec<Key>,
    /// The distinct sets of keys actions support, as indices into `keys`.
    sets: Vec<Vec<u16>>,
    /// Lower-cased action name → index in `actions`.
    index: HashMap<String, usize>,
    /// Resource type → its ARN format, e.g. `arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}`.
    pub resources: HashMap<String, String>,
}

#[derive(Deserialize)]
struct RawService {
    keys: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    sets: Vec<Vec<u16>>,
    actions: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    resources: HashMap<String, String>,
}

impl Service {
    /// A service from its compact JSON; a line that does not read gives an
    /// empty service (the embedded data is generated, a run-time file is not).
    pub(crate) fn parse(raw: &str) -> Service {
        let Ok(raw) = serde_json::from_str::<RawService>(raw) else {
            return Service::default();
        };
        let keys = raw.keys.iter().map(|(k, v)| Key::new(k, v.as_str())).collect();
        let strings = |v: Option<&serde_json::Value>| -> Vec<String> {
            v.and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
                .unwrap_or_default()
        };
        let actions = raw
            .actions
            .iter()
            .map(|(name, v)| Action {
                name: name.clone(),
                resource_types: strings(v.get(0)),
                keys: v
                    .get(1)
                    .and_then(serde_json::Value::as_u64)
                    .and_then(|i| usize::try_from(i).ok())
                    .unwrap_or(usize::MAX),
            })
            .collect::<Vec<Action>>();
        let index = actions
            .iter()
            .enumerate()
            .map(|(i, a)| (a.name.to_ascii_lowercase(), i))
            .collect();
        Service {
            actions,
            keys,
            sets: raw.sets,
            index,
            resources: raw.resources,
        }
    }

    /// The actions a pattern (`Get*`, `Decrypt`) names, case-insensitively.
    pub fn matching<'s>(&'s self, pattern: &'s str) -> impl Iterator<Item = &'s Action> + 's {
        self.actions.iter().filter(move |a| pattern::matches(pattern, &a.name))
    }

    pub fn action(&self, name: &str) -> Option<&Action> {
        let i = *self.index.get(&name.to_ascii_lowercase())?;
        self.actions.get(i)
    }

    /// The documented key a written key is an instance of.
    pub fn key(&self, key: &str) -> Option<(&str, KeyFacts)> {
        find_key(&self.keys, key)
    }

    /// The documented key names, for suggestions.
    pub fn key_names(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.name.as_str())
    }

    /// The documented keys an action supports.
    pub fn action_keys<'s>(&'s self, action: &'s Action) -> impl Iterator<Item = &'s str> + 's {
        self.action_key_entries(action).map(|k| k.name.as_str())
    }

    fn action_key_entries<'s>(&'s self, action: &'s Action) -> impl Iterator<Item = &'s Key> + 's {
        self.sets
            .get(action.keys)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.keys.get(usize::from(i)))
    }

    /// Does the action support the key (written or by its template name)?
    pub fn supports(&self, action: &Action, key: &str) -> bool {
        self.action_key_entries(action).any(|k| k.matches(key))
    }
}
