//! Shapes several operations share: `KeyMetadata`, list entries, `Tag`,
//! encryption contexts and the empty response. Dates are `SystemTime`s,
//! epoch seconds on the wire as the AWS JSON protocol sends timestamps
//! (`op::timestamp`); members with no value are left out.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize, Serializer};

use super::timestamp::from_epoch;
use crate::kms::runtime::{Alias, KeyMetadata, Replication};

/// `EncryptionContextType`: string keys to string values; absent is empty.
pub type Context = BTreeMap<String, String>;

/// The response of an operation that answers nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Empty {}

/// `Tag`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub tag_key: String,
    pub tag_value: String,
}

/// `KeyListEntry`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyListEntry {
    pub key_id: String,
    pub key_arn: String,
}

/// `AliasListEntry`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AliasListEntry {
    pub alias_name: String,
    pub alias_arn: String,
    /// Absent for a predefined alias whose key does not exist yet (with
    /// the dates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", with = "super::timestamp::opt_epoch")]
    pub creation_date: Option<SystemTime>,
    #[serde(skip_serializing_if = "Option::is_none", with = "super::timestamp::opt_epoch")]
    pub last_updated_date: Option<SystemTime>,
}

impl From<&Alias> for AliasListEntry {
    fn from(alias: &Alias) -> AliasListEntry {
        let bound = !alias.target_key_id.is_empty();
        AliasListEntry {
            alias_name: alias.name.clone(),
            alias_arn: alias.arn.clone(),
            target_key_id: bound.then(|| alias.target_key_id.clone()),
            creation_date: bound.then(|| from_epoch(alias.created)),
            last_updated_date: bound.then(|| from_epoch(alias.created)),
        }
    }
}

/// `RotationsListEntry`: the rotation members only for material a rotation
/// made current; the import members only for a symmetric key of origin
/// `EXTERNAL`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotationsListEntry {
    pub key_id: String,
    pub key_material_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_material_description: Option<String>,
    /// `IMPORTED` or `PENDING_IMPORT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import_state: Option<&'static str>,
    /// `CURRENT`, `NON_CURRENT`, `PENDING_ROTATION` or
    /// `PENDING_MULTI_REGION_IMPORT_AND_ROTATION`.
    pub key_material_state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_model: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none", with = "super::timestamp::opt_epoch")]
    pub valid_to: Option<SystemTime>,
    #[serde(skip_serializing_if = "Option::is_none", with = "super::timestamp::opt_epoch")]
    pub rotation_date: Option<SystemTime>,
    /// `AUTOMATIC` or `ON_DEMAND`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_type: Option<&'static str>,
}

/// `KeyMetadata` as the API writes it.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct KeyMetadataShape<'a> {
    #[serde(rename = "AWSAccountId")]
    aws_account_id: &'a str,
    key_id: &'a str,
    arn: &'a str,
    #[serde(with = "super::timestamp::epoch")]
    creation_date: SystemTime,
    enabled: bool,
    description: &'a str,
    key_usage: &'a str,
    key_state: &'a str,
    #[serde(skip_serializing_if = "Option::is_none", with = "super::timestamp::opt_epoch")]
    deletion_date: Option<SystemTime>,
    #[serde(skip_serializing_if = "Option::is_none", with = "super::timestamp::opt_epoch")]
    valid_to: Option<SystemTime>,
    origin: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    custom_key_store_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cloud_hsm_cluster_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration_model: Option<&'a str>,
    key_manager: &'a str,
    customer_master_key_spec: &'a str,
    key_spec: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    encryption_algorithms: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    signing_algorithms: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mac_algorithms: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    key_agreement_algorithms: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    encapsulation_algorithms: Vec<&'static str>,
    multi_region: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    multi_region_configuration: Option<MultiRegionConfiguration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    current_key_material_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    xks_key_configuration: Option<XksKeyConfiguration<'a>>,
}

/// `XksKeyConfigurationType`: the external key of a key in an external key store.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct XksKeyConfiguration<'a> {
    id: &'a str,
}

/// `MultiRegionConfiguration`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct MultiRegionConfiguration {
    multi_region_key_type: &'static str,
    primary_key: MultiRegionKey,
    replica_keys: Vec<MultiRegionKey>,
}

/// `MultiRegionKey`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct MultiRegionKey {
    arn: String,
    region: String,
}

impl MultiRegionConfiguration {
    fn of(metadata: &KeyMetadata, replication: &Replication) -> MultiRegionConfiguration {
        let region = crate::arn::Arn::parse(&metadata.arn).map_or("", |arn| arn.region);
        let copy = |r: &String| MultiRegionKey {
            arn: crate::kms::runtime::kms_arn(r, &metadata.account, &format!("key/{}", metadata.key_id)),
            region: r.clone(),
        };
        MultiRegionConfiguration {
            multi_region_key_type: replication.key_type(region),
            primary_key: copy(&replication.primary_region),
            replica_keys: replication.replica_regions.iter().map(copy).collect(),
        }
    }
}

/// The algorithm lists of a key of `spec` and `usage`, as `KeyMetadata`
/// and `GetPublicKey` report them: only the list of the key's usage is
/// non-empty (§4.2).
pub struct Algorithms {
    pub encryption: Vec<&'static str>,
    pub signing: Vec<&'static str>,
    pub mac: Vec<&'static str>,
    pub key_agreement: Vec<&'static str>,
    pub encapsulation: Vec<&'static str>,
}

impl Algorithms {
    pub fn of(spec: &str, usage: &str) -> Algorithms {
        use crate::crypto::keys::{KeySpec, KeyUsage};
        let (Ok(spec), Ok(usage)) = (spec.parse::<KeySpec>(), usage.parse::<KeyUsage>()) else {
            return Algorithms {
                encryption: Vec::new(),
                signing: Vec::new(),
                mac: Vec::new(),
                key_agreement: Vec::new(),
                encapsulation: Vec::new(),
            };
        };
        Algorithms {
            encryption: spec.encryption_algorithms(usage).iter().map(|a| a.as_str()).collect(),
            signing: spec.signing_algorithms(usage).iter().map(|a| a.as_str()).collect(),
            mac: spec.mac_algorithms(usage).iter().map(|a| a.as_str()).collect(),
            key_agreement: spec
                .key_agreement_algorithms(usage)
                .iter()
                .map(|a| a.as_str())
                .collect(),
            encapsulation: spec
                .encapsulation_algorithms(usage)
                .iter()
                .map(|a| a.as_str())
                .collect(),
        }
    }
}

impl Serialize for KeyMetadata {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let algorithms = Algorithms::of(self.key_spec, self.key_usage);
        KeyMetadataShape {
            aws_account_id: &self.account,
            key_id: &self.key_id,
            arn: &self.arn,
            creation_date: self.creation_date,
            enabled: self.enabled,
            description: &self.description,
            key_usage: self.key_usage,
            key_state: self.state.as_str(),
            deletion_date: self.deletion_date,
            valid_to: self.valid_to,
            origin: self.origin,
            custom_key_store_id: self.custom_key_store.as_ref().map(|s| s.id.as_str()),
            cloud_hsm_cluster_id: self
                .custom_key_store
                .as_ref()
                .and_then(|s| s.cloud_hsm_cluster_id.as_deref()),
            expiration_model: self.expiration_model,
            key_manager: self.key_manager,
            customer_master_key_spec: self.key_spec,
            key_spec: self.key_spec,
            encryption_algorithms: algorithms.encryption,
            signing_algorithms: algorithms.signing,
            mac_algorithms: algorithms.mac,
            key_agreement_algorithms: algorithms.key_agreement,
            encapsulation_algorithms: algorithms.encapsulation,
            multi_region: self.replication.is_some(),
            multi_region_configuration: self.replication.as_ref().map(|r| MultiRegionConfiguration::of(self, r)),
            current_key_material_id: self.current_key_material_id.as_deref(),
            xks_key_configuration: self
                .custom_key_store
                .as_ref()
                .and_then(|s| s.xks_key_id.as_deref())
                .map(|id| XksKeyConfiguration { id }),
        }
        .serialize(serializer)
    }
}
