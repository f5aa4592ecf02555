//! Custom key stores: `CreateCustomKeyStore`, `DescribeCustomKeyStores`,
//! `UpdateCustomKeyStore`, `ConnectCustomKeyStore`,
//! `DisconnectCustomKeyStore`, `DeleteCustomKeyStore`
//! (<https://docs.aws.amazon.com/kms/latest/developerguide/key-store-overview.html>).
//! `runtime::custom_key_stores` keeps the stores and their connection
//! states; `docs/custom-key-stores.md` says what is real and what is
//! simulated.
//! Each is authorized by identity policies alone, on the resource `*`.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::timestamp::from_epoch;

use super::check;
use super::shapes::Empty;
use super::{KeyIdForms, Op};
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::runtime::{
    Clock, CustomKeyStore, NewStore, Paging, ProxySecret, Runtime, StoreType, StoreUpdate, XksProxy,
};

fn invalid(message: impl Into<String>) -> KmsError {
    KmsError::new(ErrorName::ValidationException, message)
}

/// `XksProxyAuthenticationCredentialType`. The secret signs the requests to
/// the proxy; the store keeps it wrapped under its root key.
#[derive(Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct XksProxyAuthenticationCredential {
    pub access_key_id: String,
    pub raw_secret_access_key: zeroize::Zeroizing<String>,
}

impl std::fmt::Debug for XksProxyAuthenticationCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XksProxyAuthenticationCredential")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// A `KeyStorePassword`, never printed.
#[derive(Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(transparent)]
pub struct Password(pub zeroize::Zeroizing<String>);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([REDACTED])")
    }
}

fn check_credential(credential: Option<&XksProxyAuthenticationCredential>) -> Result<(), KmsError> {
    if let Some(c) = credential {
        check::length("XksProxyAuthenticationCredential.AccessKeyId", &c.access_key_id, 20, 30)?;
        check::length(
            "XksProxyAuthenticationCredential.RawSecretAccessKey",
            &c.raw_secret_access_key,
            43,
            64,
        )?;
    }
    Ok(())
}

/// The members only an external key store takes.
struct XksMembers<'a> {
    uri_endpoint: Option<&'a str>,
    uri_path: Option<&'a str>,
    vpc_endpoint_service_name: Option<&'a str>,
    vpc_endpoint_service_owner: Option<&'a str>,
    credential: Option<&'a XksProxyAuthenticationCredential>,
    connectivity: Option<&'a str>,
}

impl XksMembers<'_> {
    fn first_given(&self) -> Option<&'static str> {
        [
            ("XksProxyUriEndpoint", self.uri_endpoint.is_some()),
            ("XksProxyUriPath", self.uri_path.is_some()),
            (
                "XksProxyVpcEndpointServiceName",
                self.vpc_endpoint_service_name.is_some(),
            ),
            (
                "XksProxyVpcEndpointServiceOwner",
                self.vpc_endpoint_service_owner.is_some(),
            ),
            ("XksProxyAuthenticationCredential", self.credential.is_some()),
            ("XksProxyConnectivity", self.connectivity.is_some()),
        ]
        .into_iter()
        .find_map(|(name, given)| given.then_some(name))
    }
}

/// `CreateCustomKeyStore`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateCustomKeyStore {
    pub custom_key_store_name: String,
    pub cloud_hsm_cluster_id: Option<String>,
    pub trust_anchor_certificate: Option<String>,
    pub key_store_password: Option<Password>,
    pub custom_key_store_type: Option<String>,
    pub xks_proxy_uri_endpoint: Option<String>,
    pub xks_proxy_uri_path: Option<String>,
    pub xks_proxy_vpc_endpoint_service_name: Option<String>,
    pub xks_proxy_vpc_endpoint_service_owner: Option<String>,
    pub xks_proxy_authentication_credential: Option<XksProxyAuthenticationCredential>,
    pub xks_proxy_connectivity: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateCustomKeyStoreResponse {
    pub custom_key_store_id: String,
}

impl CreateCustomKeyStore {
    fn xks_members(&self) -> XksMembers<'_> {
        XksMembers {
            uri_endpoint: self.xks_proxy_uri_endpoint.as_deref(),
            uri_path: self.xks_proxy_uri_path.as_deref(),
            vpc_endpoint_service_name: self.xks_proxy_vpc_endpoint_service_name.as_deref(),
            vpc_endpoint_service_owner: self.xks_proxy_vpc_endpoint_service_owner.as_deref(),
            credential: self.xks_proxy_authentication_credential.as_ref(),
            connectivity: self.xks_proxy_connectivity.as_deref(),
        }
    }

    /// The store the request describes, with the members its type requires
    /// (API reference, `CreateCustomKeyStore`: a CloudHSM key store takes
    /// `CloudHsmClusterId`, `TrustAnchorCertificate` and `KeyStorePassword`;
    /// an external key store `XksProxyUriEndpoint`, `XksProxyUriPath`,
    /// `XksProxyAuthenticationCredential`, `XksProxyConnectivity`, and with
    /// `VPC_ENDPOINT_SERVICE` `XksProxyVpcEndpointServiceName`).
    fn new_store(&self, account: &str) -> Result<NewStore, KmsError> {
        let store_type = match self.custom_key_store_type.as_deref() {
            None => StoreType::CloudHsm,
            Some(text) => StoreType::parse(text).ok_or_else(|| {
                KmsError::constraint(
                    Some(text),
                    "customKeyStoreType",
                    "satisfy enum value set: [AWS_CLOUDHSM, EXTERNAL_KEY_STORE]",
                )
            })?,
        };
        let required = |name: &str, given: bool| {
            if given {
                Ok(())
            } else {
                Err(invalid(format!(
                    "{name} is required for a custom key store of type {}.",
                    store_type.as_str()
                )))
            }
        };
        let not_taken = |name: &str, given: bool| {
            if given {
                Err(invalid(format!(
                    "{name} is not valid for a custom key store of type {}.",
                    store_type.as_str()
                )))
            } else {
                Ok(())
            }
        };
        match store_type {
            StoreType::CloudHsm => {
                required("CloudHsmClusterId", self.cloud_hsm_cluster_id.is_some())?;
                required("TrustAnchorCertificate", self.trust_anchor_certificate.is_some())?;
                required("KeyStorePassword", self.key_store_password.is_some())?;
                if let Some(name) = self.xks_members().first_given() {
                    not_taken(name, true)?;
                }
                Ok(NewStore {
                    name: self.custom_key_store_name.clone(),
                    store_type,
                    cloud_hsm_cluster_id: self.cloud_hsm_cluster_id.clone(),
                    trust_anchor_certificate: self.trust_anchor_certificate.clone(),
                    xks: None,
                })
            }
            StoreType::External => {
                not_taken("CloudHsmClusterId", self.cloud_hsm_cluster_id.is_some())?;
                not_taken("TrustAnchorCertificate", self.trust_anchor_certificate.is_some())?;
                not_taken("KeyStorePassword", self.key_store_password.is_some())?;
                let (Some(endpoint), Some(path), Some(credential), Some(connectivity)) = (
                    self.xks_proxy_uri_endpoint.as_ref(),
                    self.xks_proxy_uri_path.as_ref(),
                    self.xks_proxy_authentication_credential.as_ref(),
                    self.xks_proxy_connectivity.as_ref(),
                ) else {
                    let missing = [
                        ("XksProxyUriEndpoint", self.xks_proxy_uri_endpoint.is_some()),
                        ("XksProxyUriPath", self.xks_proxy_uri_path.is_some()),
                        (
                            "XksProxyAuthenticationCredential",
                            self.xks_proxy_authentication_credential.is_some(),
                        ),
                        ("XksProxyConnectivity", self.xks_proxy_connectivity.is_some()),
                    ]
                    .into_iter()
                    .find(|(_, given)| !given)
                    .map_or("XksProxyConnectivity", |(name, _)| name);
                    return Err(invalid(format!(
                        "{missing} is required for a custom key store of type EXTERNAL_KEY_STORE."
                    )));
                };
                let vpc = connectivity == "VPC_ENDPOINT_SERVICE";
                if vpc {
                    required(
                        "XksProxyVpcEndpointServiceName",
                        self.xks_proxy_vpc_endpoint_service_name.is_some(),
                    )?;
                } else if self.xks_proxy_vpc_endpoint_service_name.is_some()
                    || self.xks_proxy_vpc_endpoint_service_owner.is_some()
                {
                    return Err(invalid(
                        "XksProxyVpcEndpointServiceName and XksProxyVpcEndpointServiceOwner are valid only with XksProxyConnectivity VPC_ENDPOINT_SERVICE.",
                    ));
                }
                Ok(NewStore {
                    name: self.custom_key_store_name.clone(),
                    store_type,
                    cloud_hsm_cluster_id: None,
                    trust_anchor_certificate: None,
                    xks: Some(XksProxy {
                        connectivity: connectivity.clone(),
                        access_key_id: credential.access_key_id.clone(),
                        uri_endpoint: endpoint.clone(),
                        uri_path: path.clone(),
                        secret: Some(ProxySecret::new(&credential.raw_secret_access_key)),
                        vpc_endpoint_service_name: self.xks_proxy_vpc_endpoint_service_name.clone(),
                        // "If not provided, the Amazon Web Services account ID
                        // calling the action will be used."
                        vpc_endpoint_service_owner: vpc.then(|| {
                            self.xks_proxy_vpc_endpoint_service_owner
                                .clone()
                                .unwrap_or_else(|| account.to_owned())
                        }),
                    }),
                })
            }
        }
    }
}

impl Op for CreateCustomKeyStore {
    const NAME: &'static str = "CreateCustomKeyStore";
    const ACTION: &'static str = "kms:CreateCustomKeyStore";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::NoKey;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = CreateCustomKeyStoreResponse;

    fn validate(&self) -> Result<(), KmsError> {
        check::length("CustomKeyStoreName", &self.custom_key_store_name, 1, 256)?;
        check::opt_length(
            "KeyStorePassword",
            self.key_store_password.as_ref().map(|p| p.0.as_str()),
            7,
            32,
        )?;
        check_credential(self.xks_proxy_authentication_credential.as_ref())?;
        self.new_store("").map(drop)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<CreateCustomKeyStoreResponse, KmsError> {
        let new = self.new_store(&rt.account)?;
        let custom_key_store_id = rt.create_custom_key_store(caller, new)?;
        Ok(CreateCustomKeyStoreResponse { custom_key_store_id })
    }
}

/// `DescribeCustomKeyStores`: all of the account's custom key stores, or
/// the one named by id or by name (not both).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeCustomKeyStores {
    pub custom_key_store_id: Option<String>,
    pub custom_key_store_name: Option<String>,
    pub limit: Option<i64>,
    pub marker: Option<String>,
}

/// `XksProxyConfigurationType`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct XksProxyConfiguration {
    pub connectivity: String,
    pub access_key_id: String,
    pub uri_endpoint: String,
    pub uri_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_endpoint_service_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_endpoint_service_owner: Option<String>,
}

/// `CustomKeyStoresListEntry`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomKeyStoresListEntry {
    pub custom_key_store_id: String,
    pub custom_key_store_name: String,
    pub custom_key_store_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_hsm_cluster_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_anchor_certificate: Option<String>,
    pub connection_state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_error_code: Option<String>,
    #[serde(with = "super::timestamp::epoch")]
    pub creation_date: SystemTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xks_proxy_configuration: Option<XksProxyConfiguration>,
}

impl From<CustomKeyStore> for CustomKeyStoresListEntry {
    fn from(store: CustomKeyStore) -> Self {
        CustomKeyStoresListEntry {
            custom_key_store_id: store.id,
            custom_key_store_name: store.name,
            custom_key_store_type: store.store_type.as_str(),
            cloud_hsm_cluster_id: store.cloud_hsm_cluster_id,
            trust_anchor_certificate: store.trust_anchor_certificate,
            connection_state: store.state.as_str(),
            connection_error_code: store.error_code,
            creation_date: from_epoch(store.created),
            xks_proxy_configuration: store.xks.map(|p| XksProxyConfiguration {
                connectivity: p.connectivity,
                access_key_id: p.access_key_id,
                uri_endpoint: p.uri_endpoint,
                uri_path: p.uri_path,
                vpc_endpoint_service_name: p.vpc_endpoint_service_name,
                vpc_endpoint_service_owner: p.vpc_endpoint_service_owner,
            }),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeCustomKeyStoresResponse {
    pub custom_key_stores: Vec<CustomKeyStoresListEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    pub truncated: bool,
}

impl Op for DescribeCustomKeyStores {
    const NAME: &'static str = "DescribeCustomKeyStores";
    const ACTION: &'static str = "kms:DescribeCustomKeyStores";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::NoKey;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = DescribeCustomKeyStoresResponse;

    fn validate(&self) -> Result<(), KmsError> {
        check::opt_length("CustomKeyStoreId", self.custom_key_store_id.as_deref(), 1, 64)?;
        check::opt_length("CustomKeyStoreName", self.custom_key_store_name.as_deref(), 1, 256)?;
        check::range("Limit", self.limit, 1, 1000)?;
        check::opt_length("Marker", self.marker.as_deref(), 1, 1024)?;
        if self.custom_key_store_id.is_some() && self.custom_key_store_name.is_some() {
            return Err(invalid(
                "Specify either CustomKeyStoreId or CustomKeyStoreName, not both.",
            ));
        }
        Ok(())
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<DescribeCustomKeyStoresResponse, KmsError> {
        let paging = Paging {
            limit: self.limit,
            marker: self.marker.as_deref(),
        };
        let page = rt.describe_custom_key_stores(
            caller,
            self.custom_key_store_id.as_deref(),
            self.custom_key_store_name.as_deref(),
            paging,
        )?;
        let truncated = page.truncated();
        Ok(DescribeCustomKeyStoresResponse {
            custom_key_stores: page.items.into_iter().map(CustomKeyStoresListEntry::from).collect(),
            next_marker: page.next_marker,
            truncated,
        })
    }
}

/// `UpdateCustomKeyStore`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateCustomKeyStore {
    pub custom_key_store_id: String,
    pub new_custom_key_store_name: Option<String>,
    pub key_store_password: Option<Password>,
    pub cloud_hsm_cluster_id: Option<String>,
    pub xks_proxy_uri_endpoint: Option<String>,
    pub xks_proxy_uri_path: Option<String>,
    pub xks_proxy_vpc_endpoint_service_name: Option<String>,
    pub xks_proxy_vpc_endpoint_service_owner: Option<String>,
    pub xks_proxy_authentication_credential: Option<XksProxyAuthenticationCredential>,
    pub xks_proxy_connectivity: Option<String>,
}

impl UpdateCustomKeyStore {
    fn update(&self) -> StoreUpdate {
        StoreUpdate {
            new_name: self.new_custom_key_store_name.clone(),
            cloud_hsm_cluster_id: self.cloud_hsm_cluster_id.clone(),
            key_store_password: self.key_store_password.is_some(),
            access_key_id: self
                .xks_proxy_authentication_credential
                .as_ref()
                .map(|c| c.access_key_id.clone()),
            secret: self
                .xks_proxy_authentication_credential
                .as_ref()
                .map(|c| ProxySecret::new(&c.raw_secret_access_key)),
            uri_endpoint: self.xks_proxy_uri_endpoint.clone(),
            uri_path: self.xks_proxy_uri_path.clone(),
            vpc_endpoint_service_name: self.xks_proxy_vpc_endpoint_service_name.clone(),
            vpc_endpoint_service_owner: self.xks_proxy_vpc_endpoint_service_owner.clone(),
            connectivity: self.xks_proxy_connectivity.clone(),
        }
    }
}

impl Op for UpdateCustomKeyStore {
    const NAME: &'static str = "UpdateCustomKeyStore";
    const ACTION: &'static str = "kms:UpdateCustomKeyStore";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::NoKey;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = Empty;

    fn validate(&self) -> Result<(), KmsError> {
        check::length("CustomKeyStoreId", &self.custom_key_store_id, 1, 64)?;
        check::opt_length(
            "NewCustomKeyStoreName",
            self.new_custom_key_store_name.as_deref(),
            1,
            256,
        )?;
        check::opt_length(
            "KeyStorePassword",
            self.key_store_password.as_ref().map(|p| p.0.as_str()),
            7,
            32,
        )?;
        check_credential(self.xks_proxy_authentication_credential.as_ref())
    }

    /// The members must fit the store's type (checked by the runtime, which
    /// knows it): the CloudHSM ones for a CloudHSM key store, the
    /// `XksProxy*` ones for an external key store.
    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<Empty, KmsError> {
        rt.update_custom_key_store(caller, &self.custom_key_store_id, &self.update())
            .map(|()| Empty {})
    }
}

/// Declares an operation whose request is only a `CustomKeyStoreId` and
/// whose answer is empty.
macro_rules! store_only {
    ($(#[$doc:meta])* $name:ident, $action:literal, $method:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
        #[serde(rename_all = "PascalCase")]
        pub struct $name {
            pub custom_key_store_id: String,
        }

        impl Op for $name {
            const NAME: &'static str = stringify!($name);
            const ACTION: &'static str = $action;
            const MUTATES: bool = true;
            const KEY_ID: KeyIdForms = KeyIdForms::NoKey;
            const CROSS_ACCOUNT: bool = false;
            const TAKES_DRY_RUN: bool = false;
            const TAKES_GRANT_TOKENS: bool = false;
            const CONDITION_KEYS: &'static [&'static str] = &[];
            type Response = Empty;

            fn validate(&self) -> Result<(), KmsError> {
                check::length("CustomKeyStoreId", &self.custom_key_store_id, 1, 64)
            }

            fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<Empty, KmsError> {
                rt.$method(caller, &self.custom_key_store_id).map(|()| Empty {})
            }
        }
    };
}

store_only!(
    /// `ConnectCustomKeyStore`: a live external key store's proxy must
    /// answer `GetHealthStatus`; a simulated store connects at once when its
    /// parameters are valid (`docs/custom-key-stores.md`).
    ConnectCustomKeyStore,
    "kms:ConnectCustomKeyStore",
    connect_custom_key_store
);
store_only!(
    /// `DisconnectCustomKeyStore`: its keys become `Unavailable`.
    DisconnectCustomKeyStore,
    "kms:DisconnectCustomKeyStore",
    disconnect_custom_key_store
);
store_only!(
    /// `DeleteCustomKeyStore`: disconnected, and holding no key.
    DeleteCustomKeyStore,
    "kms:DeleteCustomKeyStore",
    delete_custom_key_store
);
