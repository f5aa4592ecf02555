//! Custom key stores (`docs/custom-key-stores.md`): AWS CloudHSM key stores
//! and external key stores (XKS) with AWS's validation, names, quota and
//! connection states
//! (<https://docs.aws.amazon.com/kms/latest/developerguide/key-store-overview.html>).
//!
//! keyward has no CloudHSM cluster: a CloudHSM key store, or an external key
//! store whose proxy is simulated (`external_key_store`), connects at once
//! (`CONNECTED`) when its parameters are valid, and its keys use keyward's
//! own material alone. An external key store with a live proxy is
//! `CONNECTING` until the proxy's `GetHealthStatus` answers (the service
//! asks it on a thread of its own), and its keys are doubly encrypted
//! through the proxy. While a store is not connected
//! its keys are `Unavailable`. The operations are authorized by identity
//! policies alone (the resource is `*`, as for `DescribeCustomKeyStores`).

use serde::{Deserialize, Serialize};

use super::external_key_store::{connection_error_code, healthy, store_error, ProxySecret};
use super::page::{self, Page, Paging};
use super::{Clock, Runtime};
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::KmsRequest;

/// At most this many custom key stores per account and Region (not adjustable).
pub const MAX_CUSTOM_KEY_STORES: usize = 10;

/// `CustomKeyStoreType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StoreType {
    #[serde(rename = "AWS_CLOUDHSM")]
    CloudHsm,
    #[serde(rename = "EXTERNAL_KEY_STORE")]
    External,
}

impl StoreType {
    pub const fn as_str(self) -> &'static str {
        match self {
            StoreType::CloudHsm => "AWS_CLOUDHSM",
            StoreType::External => "EXTERNAL_KEY_STORE",
        }
    }

    pub fn parse(text: &str) -> Option<StoreType> {
        [StoreType::CloudHsm, StoreType::External]
            .into_iter()
            .find(|t| t.as_str() == text)
    }
}

/// `ConnectionState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConnectionState {
    Connected,
    Connecting,
    Disconnected,
    Disconnecting,
    Failed,
}

impl ConnectionState {
    pub const fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Connected => "CONNECTED",
            ConnectionState::Connecting => "CONNECTING",
            ConnectionState::Disconnected => "DISCONNECTED",
            ConnectionState::Disconnecting => "DISCONNECTING",
            ConnectionState::Failed => "FAILED",
        }
    }
}

/// An external key store's proxy, as `XksProxyConfiguration` reports it,
/// and the secret its requests are signed with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct XksProxy {
    /// `PUBLIC_ENDPOINT` or `VPC_ENDPOINT_SERVICE`.
    pub connectivity: String,
    pub access_key_id: String,
    pub uri_endpoint: String,
    pub uri_path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_endpoint_service_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_endpoint_service_owner: Option<String>,
    /// `RawSecretAccessKey`: never serialized with the store (a store
    /// keeps it wrapped under its root key, beside the store's row).
    #[serde(skip)]
    pub secret: Option<ProxySecret>,
}

/// One custom key store. The CloudHSM `kmsuser` password is never kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomKeyStore {
    pub id: String,
    pub name: String,
    pub store_type: StoreType,
    /// Seconds since the epoch.
    pub created: i64,
    pub state: ConnectionState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_hsm_cluster_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_anchor_certificate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xks: Option<XksProxy>,
}

/// A key's place in a custom key store (`CustomKeyStoreId`, and for an
/// external key store the external key, `XksKeyConfiguration.Id`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InStore {
    pub id: String,
    pub store_type: StoreType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xks_key_id: Option<String>,
    /// The store's CloudHSM cluster when the key was created
    /// (`KeyMetadata.CloudHsmClusterId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_hsm_cluster_id: Option<String>,
}

/// What `CreateCustomKeyStore` asks for, its members already validated
/// against the store type by the operation.
#[derive(Clone, Debug)]
pub struct NewStore {
    pub name: String,
    pub store_type: StoreType,
    pub cloud_hsm_cluster_id: Option<String>,
    pub trust_anchor_certificate: Option<String>,
    pub xks: Option<XksProxy>,
}

/// What `UpdateCustomKeyStore` changes (`None`: unchanged). The members
/// were validated against the store type by the operation.
#[derive(Clone, Debug, Default)]
pub struct StoreUpdate {
    pub new_name: Option<String>,
    pub cloud_hsm_cluster_id: Option<String>,
    /// The `kmsuser` password was given (it is not kept).
    pub key_store_password: bool,
    /// A new credential's access key id and secret.
    pub access_key_id: Option<String>,
    pub secret: Option<ProxySecret>,
    pub uri_endpoint: Option<String>,
    pub uri_path: Option<String>,
    pub vpc_endpoint_service_name: Option<String>,
    pub vpc_endpoint_service_owner: Option<String>,
    pub connectivity: Option<String>,
}

fn error(name: ErrorName, message: impl Into<String>) -> KmsError {
    KmsError::new(name, message)
}

/// An endpoint under the reserved `.invalid` top-level domain (RFC 6761)
/// stands for a proxy keyward's simulation cannot reach.
fn unreachable(endpoint: &str) -> bool {
    let host = endpoint
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .to_ascii_lowercase();
    host == "invalid" || host.ends_with(".invalid")
}

/// A trust anchor is a PEM certificate (the cluster's `customerCA.crt`).
fn is_pem_certificate(text: &str) -> bool {
    let text = text.trim();
    let Some(body) = text
        .strip_prefix("-----BEGIN CERTIFICATE-----")
        .and_then(|rest| rest.strip_suffix("-----END CERTIFICATE-----"))
    else {
        return false;
    };
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    !compact.is_empty()
        && base64::Engine::decode(&base64::engine::general_purpose::STANDARD, compact).is_ok_and(|der| der.len() > 16)
}

fn new_store_id() -> String {
    let bytes = crate::crypto::random_bytes(9);
    let hex = crate::crypto::hex(&bytes);
    format!("cks-{}", &hex[..17])
}

impl<C: Clock> Runtime<C> {
    /// The custom key stores of this account and Region, by id.
    pub fn custom_key_stores(&self) -> impl Iterator<Item = &CustomKeyStore> {
        self.stores.values()
    }

    /// An IAM-only action on no particular resource.
    fn authorize_store_action(&self, caller: &Caller, action: &str) -> Result<(), KmsError> {
        self.authorize(&mut KmsRequest::new(caller.clone(), action, "*"), None)
    }

    /// The store with this id, or `CustomKeyStoreNotFoundException`.
    pub(super) fn store(&self, id: &str) -> Result<&CustomKeyStore, KmsError> {
        self.stores.get(id).ok_or_else(|| {
            error(
                ErrorName::CustomKeyStoreNotFoundException,
                format!("Custom key store `{id}` does not exist in this account and Region."),
            )
        })
    }

    /// Whether a key of this store cannot be used now (its store is not connected).
    pub(super) fn store_unavailable(&self, in_store: Option<&InStore>) -> bool {
        in_store.is_some_and(|s| {
            self.stores
                .get(&s.id)
                .is_none_or(|store| store.state != ConnectionState::Connected)
        })
    }

    /// Refreshes the availability of the keys in store `id` after its
    /// connection state changed.
    fn refresh_keys_of(&mut self, id: &str) {
        let unavailable = self
            .stores
            .get(id)
            .is_none_or(|s| s.state != ConnectionState::Connected);
        let ids: Vec<String> = self
            .keys()
            .filter(|k| k.custom_key_store.as_ref().is_some_and(|s| s.id == id) && k.unavailable != unavailable)
            .map(|k| k.id.clone())
            .collect();
        for key_id in ids {
            if let Some(key) = self.key_mut(&key_id) {
                key.unavailable = unavailable;
            }
        }
    }

    /// The uniqueness rules of the API reference (`CreateCustomKeyStore`,
    /// `UpdateCustomKeyStore`) for `candidate`, against every other store.
    fn check_unique(&self, candidate: &CustomKeyStore) -> Result<(), KmsError> {
        let others = || self.stores.values().filter(|s| s.id != candidate.id);
        if others().any(|s| s.name == candidate.name) {
            return Err(error(
                ErrorName::CustomKeyStoreNameInUseException,
                format!(
                    "The custom key store name `{}` is already used by another custom key store in this account and Region.",
                    candidate.name
                ),
            ));
        }
        if let Some(cluster) = &candidate.cloud_hsm_cluster_id {
            if others().any(|s| s.cloud_hsm_cluster_id.as_ref() == Some(cluster)) {
                return Err(error(
                    ErrorName::CloudHsmClusterInUseException,
                    format!(
                        "The CloudHSM cluster {cluster} is already associated with a custom key store in this account."
                    ),
                ));
            }
        }
        if let Some(proxy) = &candidate.xks {
            let same_uri = others()
                .filter_map(|s| s.xks.as_ref())
                .any(|p| p.uri_endpoint == proxy.uri_endpoint && p.uri_path == proxy.uri_path);
            if same_uri {
                return Err(error(
                    ErrorName::XksProxyUriInUseException,
                    format!(
                        "The proxy URI {}{} is already used by another external key store in this Region.",
                        proxy.uri_endpoint, proxy.uri_path
                    ),
                ));
            }
            // A private DNS name is one store's alone, and a public endpoint
            // may not be a VPC endpoint service store's.
            let endpoint_taken = others().filter_map(|s| s.xks.as_ref()).any(|p| {
                p.uri_endpoint == proxy.uri_endpoint
                    && (p.connectivity == "VPC_ENDPOINT_SERVICE" || proxy.connectivity == "VPC_ENDPOINT_SERVICE")
            });
            if endpoint_taken {
                return Err(error(
                    ErrorName::XksProxyUriEndpointInUseException,
                    format!(
                        "The proxy URI endpoint {} is already used by another external key store in this Region.",
                        proxy.uri_endpoint
                    ),
                ));
            }
            if let Some(service) = &proxy.vpc_endpoint_service_name {
                let taken = others()
                    .filter_map(|s| s.xks.as_ref())
                    .any(|p| p.vpc_endpoint_service_name.as_ref() == Some(service));
                if taken {
                    return Err(error(
                        ErrorName::XksProxyVpcEndpointServiceInUseException,
                        format!("The VPC endpoint service {service} is already used by another external key store in this Region."),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Checks what a simulated backing store would refuse: a trust anchor
    /// that is not a certificate; a public proxy endpoint KMS cannot reach
    /// (KMS connects to it while creating the store).
    fn check_backing(candidate: &CustomKeyStore, creating: bool) -> Result<(), KmsError> {
        if let Some(anchor) = &candidate.trust_anchor_certificate {
            if !is_pem_certificate(anchor) {
                return Err(error(
                    ErrorName::IncorrectTrustAnchorException,
                    "The trust anchor certificate is not a PEM-encoded certificate (the cluster's customerCA.crt).",
                ));
            }
        }
        if let Some(proxy) = &candidate.xks {
            if creating && proxy.connectivity == "PUBLIC_ENDPOINT" && unreachable(&proxy.uri_endpoint) {
                return Err(error(
                    ErrorName::XksProxyUriUnreachableException,
                    format!(
                        "KMS could not reach the external key store proxy at {}.",
                        proxy.uri_endpoint
                    ),
                ));
            }
        }
        Ok(())
    }

    pub(super) fn create_custom_key_store_call(&mut self, caller: &Caller, new: NewStore) -> Result<String, KmsError> {
        self.authorize_store_action(caller, "kms:CreateCustomKeyStore")?;
        let store = CustomKeyStore {
            id: new_store_id(),
            name: new.name,
            store_type: new.store_type,
            created: self.clock.now(),
            state: ConnectionState::Disconnected,
            error_code: None,
            cloud_hsm_cluster_id: new.cloud_hsm_cluster_id,
            trust_anchor_certificate: new.trust_anchor_certificate,
            xks: new.xks,
        };
        self.check_unique(&store)?;
        if self.stores.values().count() >= MAX_CUSTOM_KEY_STORES {
            return Err(error(
                ErrorName::LimitExceededException,
                format!("An account may have at most {MAX_CUSTOM_KEY_STORES} custom key stores in a Region."),
            ));
        }
        Self::check_backing(&store, true)?;
        if let Some(proxy) = &store.xks {
            self.check_endpoint(proxy)?;
            // KMS calls a public proxy while it creates the store.
            if self.live(proxy) && proxy.connectivity == "PUBLIC_ENDPOINT" {
                self.store_health(&store, "CreateCustomKeyStore")
                    .map_err(|f| store_error(&f))?;
            }
        }
        let id = store.id.clone();
        self.stores.insert(id.clone(), store);
        Ok(id)
    }

    /// `ConnectCustomKeyStore`: a live store is `CONNECTING` until its
    /// proxy's `GetHealthStatus` is answered, which the service asks after
    /// this call (\[`Runtime::finish_connection`\]); "The
    /// ConnectCustomKeyStore operation succeeds quickly before the
    /// connection process is complete" (developer guide, *Troubleshooting
    /// external key stores*). A simulated store connects at once, or fails
    /// with `XKS_PROXY_NOT_REACHABLE` for a proxy under `.invalid`. Already
    /// connected (or connecting) is a success; `FAILED` and `DISCONNECTING`
    /// are refused.
    pub(super) fn connect_custom_key_store_call(&mut self, caller: &Caller, id: &str) -> Result<(), KmsError> {
        self.authorize_store_action(caller, "kms:ConnectCustomKeyStore")?;
        let store = self.store(id)?;
        match store.state {
            ConnectionState::Failed | ConnectionState::Disconnecting => {
                return Err(error(
                    ErrorName::CustomKeyStoreInvalidStateException,
                    format!(
                        "Custom key store {id} is {}; it can be connected only once it is disconnected.",
                        store.state.as_str()
                    ),
                ))
            }
            ConnectionState::Connected => return Ok(()),
            ConnectionState::Connecting | ConnectionState::Disconnected => {}
        }
        let state = match store.xks.as_ref() {
            Some(p) if unreachable(&p.uri_endpoint) => Err("XKS_PROXY_NOT_REACHABLE"),
            // A proxy this process may not call fails at once.
            Some(p) if self.live(p) => match self.health_call(store, "ConnectCustomKeyStore") {
                Some(_) => Ok(ConnectionState::Connecting),
                None => Err(connection_error_code(&super::ProxyFailure::NotAllowed)),
            },
            _ => Ok(ConnectionState::Connected),
        };
        self.set_connection(id, state);
        Ok(())
    }

    /// The outcome of a connecting store's health check, `call` (made with
    /// the state unlocked): `CONNECTED`, or `FAILED` with the
    /// `ConnectionErrorCode` of the failure. Nothing changes unless the
    /// store is still `CONNECTING` to the proxy `call` asked.
    pub(crate) fn finish_connection(
        &mut self,
        id: &str,
        call: &super::ProxyCall,
        answer: Result<super::ProxyAnswer, super::ProxyFailure>,
    ) {
        let connecting = self.stores.get(id).filter(|s| s.state == ConnectionState::Connecting);
        if connecting.and_then(|s| self.health_call(s, &call.operation)).as_ref() != Some(call) {
            return;
        }
        let state = healthy(answer)
            .map(|()| ConnectionState::Connected)
            .map_err(|f| connection_error_code(&f));
        self.set_connection(id, state);
    }

    /// The health checks the connecting stores wait for.
    pub(crate) fn connection_checks(&self) -> Vec<(String, super::ProxyCall)> {
        self.stores
            .values()
            .filter(|s| s.state == ConnectionState::Connecting)
            .filter_map(|s| Some((s.id.clone(), self.health_call(s, "ConnectCustomKeyStore")?)))
            .collect()
    }

    /// The periodic health checks (`KmsHealthCheck`) of the connected
    /// stores this process calls; their outcome changes nothing
    /// (\[`Runtime::finish_connection`\] applies only to `CONNECTING` stores).
    pub(crate) fn periodic_checks(&self) -> Vec<(String, super::ProxyCall)> {
        self.stores
            .values()
            .filter(|s| s.state == ConnectionState::Connected)
            .filter_map(|s| Some((s.id.clone(), self.health_call(s, "KmsHealthCheck")?)))
            .collect()
    }

    /// `CONNECTED` or another state, or `FAILED` with a `ConnectionErrorCode`;
    /// the store's keys follow.
    fn set_connection(&mut self, id: &str, state: Result<ConnectionState, &str>) {
        if let Some(store) = self.stores.get_mut(id) {
            match state {
                Err(code) => {
                    store.state = ConnectionState::Failed;
                    store.error_code = Some(code.to_owned());
                }
                Ok(state) => {
                    store.state = state;
                    store.error_code = None;
                }
            }
        }
        self.refresh_keys_of(id);
    }

    /// `DisconnectCustomKeyStore`: its keys become `Unavailable`.
    pub(super) fn disconnect_custom_key_store_call(&mut self, caller: &Caller, id: &str) -> Result<(), KmsError> {
        self.authorize_store_action(caller, "kms:DisconnectCustomKeyStore")?;
        let store = self.store(id)?;
        if matches!(
            store.state,
            ConnectionState::Disconnected | ConnectionState::Disconnecting
        ) {
            return Err(error(
                ErrorName::CustomKeyStoreInvalidStateException,
                format!("Custom key store {id} is {}.", store.state.as_str()),
            ));
        }
        if let Some(store) = self.stores.get_mut(id) {
            store.state = ConnectionState::Disconnected;
            store.error_code = None;
        }
        self.refresh_keys_of(id);
        Ok(())
    }

    /// `DeleteCustomKeyStore`: only disconnected, and holding no key (one
    /// pending deletion still counts).
    pub(super) fn delete_custom_key_store_call(&mut self, caller: &Caller, id: &str) -> Result<(), KmsError> {
        self.authorize_store_action(caller, "kms:DeleteCustomKeyStore")?;
        let store = self.store(id)?;
        if store.state != ConnectionState::Disconnected {
            return Err(error(
                ErrorName::CustomKeyStoreInvalidStateException,
                format!(
                    "Custom key store {id} is {}; disconnect it before deleting it.",
                    store.state.as_str()
                ),
            ));
        }
        if self
            .keys()
            .any(|k| k.custom_key_store.as_ref().is_some_and(|s| s.id == id))
        {
            return Err(error(
                ErrorName::CustomKeyStoreHasCMKsException,
                format!("Custom key store {id} still contains KMS keys; delete them (ScheduleKeyDeletion) first."),
            ));
        }
        self.stores.remove(id);
        Ok(())
    }

    /// `UpdateCustomKeyStore`. A disconnected store takes every change; a
    /// connected one only a new name (and, for an external key store, a
    /// new credential or URI path).
    pub(super) fn update_custom_key_store_call(
        &mut self,
        caller: &Caller,
        id: &str,
        update: &StoreUpdate,
    ) -> Result<(), KmsError> {
        self.authorize_store_action(caller, "kms:UpdateCustomKeyStore")?;
        let store = self.store(id)?;
        let misplaced = match store.store_type {
            StoreType::CloudHsm => [
                ("XksProxyAuthenticationCredential", update.access_key_id.is_some()),
                ("XksProxyUriEndpoint", update.uri_endpoint.is_some()),
                ("XksProxyUriPath", update.uri_path.is_some()),
                (
                    "XksProxyVpcEndpointServiceName",
                    update.vpc_endpoint_service_name.is_some(),
                ),
                (
                    "XksProxyVpcEndpointServiceOwner",
                    update.vpc_endpoint_service_owner.is_some(),
                ),
                ("XksProxyConnectivity", update.connectivity.is_some()),
            ]
            .into_iter()
            .find_map(|(name, given)| given.then_some(name)),
            StoreType::External => [
                ("CloudHsmClusterId", update.cloud_hsm_cluster_id.is_some()),
                ("KeyStorePassword", update.key_store_password),
            ]
            .into_iter()
            .find_map(|(name, given)| given.then_some(name)),
        };
        if let Some(name) = misplaced {
            return Err(error(
                ErrorName::ValidationException,
                format!(
                    "{name} is not valid for a custom key store of type {}.",
                    store.store_type.as_str()
                ),
            ));
        }
        let only_when_connected_too = update.cloud_hsm_cluster_id.is_none()
            && !update.key_store_password
            && update.uri_endpoint.is_none()
            && update.vpc_endpoint_service_name.is_none()
            && update.vpc_endpoint_service_owner.is_none()
            && update.connectivity.is_none()
            && (store.store_type == StoreType::External
                || (update.access_key_id.is_none() && update.uri_path.is_none()));
        let allowed = match store.state {
            ConnectionState::Disconnected => true,
            ConnectionState::Connected => only_when_connected_too,
            _ => false,
        };
        if !allowed {
            return Err(error(
                ErrorName::CustomKeyStoreInvalidStateException,
                format!(
                    "Custom key store {id} is {}; disconnect it to change these properties.",
                    store.state.as_str()
                ),
            ));
        }
        let mut changed = store.clone();
        if let Some(name) = &update.new_name {
            changed.name.clone_from(name);
        }
        if let Some(cluster) = &update.cloud_hsm_cluster_id {
            changed.cloud_hsm_cluster_id = Some(cluster.clone());
        }
        if let Some(proxy) = &mut changed.xks {
            let set = |field: &mut String, value: &Option<String>| {
                if let Some(value) = value {
                    field.clone_from(value);
                }
            };
            set(&mut proxy.access_key_id, &update.access_key_id);
            set(&mut proxy.uri_endpoint, &update.uri_endpoint);
            set(&mut proxy.uri_path, &update.uri_path);
            set(&mut proxy.connectivity, &update.connectivity);
            if update.secret.is_some() {
                proxy.secret.clone_from(&update.secret);
            }
            if update.vpc_endpoint_service_name.is_some() {
                proxy
                    .vpc_endpoint_service_name
                    .clone_from(&update.vpc_endpoint_service_name);
            }
            if update.vpc_endpoint_service_owner.is_some() {
                proxy
                    .vpc_endpoint_service_owner
                    .clone_from(&update.vpc_endpoint_service_owner);
            }
            if proxy.connectivity == "PUBLIC_ENDPOINT" {
                proxy.vpc_endpoint_service_name = None;
                proxy.vpc_endpoint_service_owner = None;
            } else if proxy.vpc_endpoint_service_name.is_none() {
                return Err(error(
                    ErrorName::XksProxyInvalidConfigurationException,
                    "XksProxyVpcEndpointServiceName is required with VPC_ENDPOINT_SERVICE connectivity.",
                ));
            }
        }
        self.check_unique(&changed)?;
        Self::check_backing(&changed, false)?;
        if let Some(proxy) = &changed.xks {
            self.check_endpoint(proxy)?;
            // KMS asks the proxy for its health with the new values before it
            // changes them (developer guide, *Edit external key store
            // properties*; XKS Proxy API spec, `GetHealthStatus`): where it
            // can reach the proxy, a public one or a connected store's.
            let reachable = proxy.connectivity == "PUBLIC_ENDPOINT" || changed.state == ConnectionState::Connected;
            if self.live(proxy) && reachable && store.xks.as_ref() != Some(proxy) {
                self.store_health(&changed, "UpdateCustomKeyStore")
                    .map_err(|f| store_error(&f))?;
            }
        }
        self.stores.insert(id.to_owned(), changed);
        Ok(())
    }

    /// `DescribeCustomKeyStores`: every store (by id, a page at a time), or
    /// the one named by id or by name.
    pub(super) fn describe_custom_key_stores_call(
        &self,
        caller: &Caller,
        id: Option<&str>,
        name: Option<&str>,
        paging: Paging<'_>,
    ) -> Result<Page<CustomKeyStore>, KmsError> {
        page::validate(&paging, page::DESCRIBE_CUSTOM_KEY_STORES)?;
        self.authorize_store_action(caller, "kms:DescribeCustomKeyStores")?;
        let mut stores: Vec<CustomKeyStore> = self
            .stores
            .values()
            .filter(|s| id.is_none_or(|id| s.id == id) && name.is_none_or(|name| s.name == name))
            .cloned()
            .collect();
        if let Some(named) = id.or(name).filter(|_| stores.is_empty()) {
            return Err(error(
                ErrorName::CustomKeyStoreNotFoundException,
                format!("Custom key store `{named}` does not exist in this account and Region."),
            ));
        }
        stores.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(page::page(stores, &paging, page::DESCRIBE_CUSTOM_KEY_STORES, |s| {
            s.id.as_str()
        }))
    }

    /// The store a new key goes into (`CreateKey` with `CustomKeyStoreId`):
    /// it exists, is of the origin asked for and is connected; an external
    /// key is used by one key of the store only.
    pub(super) fn store_for_new_key(
        &self,
        id: &str,
        origin: StoreType,
        xks_key_id: Option<&str>,
    ) -> Result<InStore, KmsError> {
        let store = self.store(id)?;
        if store.store_type != origin {
            return Err(error(
                ErrorName::UnsupportedOperationException,
                format!(
                    "Custom key store {id} is of type {}; a key of Origin {} cannot be created in it.",
                    store.store_type.as_str(),
                    origin.as_str()
                ),
            ));
        }
        if store.state != ConnectionState::Connected {
            return Err(error(
                ErrorName::CustomKeyStoreInvalidStateException,
                format!(
                    "Custom key store {id} is {}; keys are created only in a connected store.",
                    store.state.as_str()
                ),
            ));
        }
        if let Some(external) = xks_key_id {
            let taken = self.keys().any(|k| {
                k.custom_key_store
                    .as_ref()
                    .is_some_and(|s| s.id == id && s.xks_key_id.as_deref() == Some(external))
            });
            if taken {
                return Err(error(
                    ErrorName::XksKeyAlreadyInUseException,
                    format!(
                        "The external key {external} is already associated with a KMS key in custom key store {id}."
                    ),
                ));
            }
        }
        Ok(InStore {
            id: id.to_owned(),
            store_type: origin,
            xks_key_id: xks_key_id.map(str::to_owned),
            cloud_hsm_cluster_id: store.cloud_hsm_cluster_id.clone(),
        })
    }

    /// `GenerateRandom` in a custom key store: a connected CloudHSM key store.
    pub(super) fn check_random_source(&self, id: &str) -> Result<(), KmsError> {
        let store = self.store(id)?;
        if store.store_type == StoreType::External {
            return Err(error(
                ErrorName::UnsupportedOperationException,
                format!("{id} is an external key store; GenerateRandom takes only an AWS CloudHSM key store."),
            ));
        }
        if store.state != ConnectionState::Connected {
            return Err(error(
                ErrorName::CustomKeyStoreInvalidStateException,
                format!("Custom key store {id} is {}.", store.state.as_str()),
            ));
        }
        Ok(())
    }
}

/// The audited operations.
impl<C: Clock> Runtime<C> {
    pub fn create_custom_key_store(&mut self, caller: &Caller, new: NewStore) -> Result<String, KmsError> {
        let parameters = serde_json::json!({
            "customKeyStoreName": new.name,
            "customKeyStoreType": new.store_type.as_str(),
            "cloudHsmClusterId": new.cloud_hsm_cluster_id,
            "xksProxyUriEndpoint": new.xks.as_ref().map(|p| &p.uri_endpoint),
            "xksProxyUriPath": new.xks.as_ref().map(|p| &p.uri_path),
            "xksProxyConnectivity": new.xks.as_ref().map(|p| &p.connectivity),
        });
        self.audited_mut("CreateCustomKeyStore", caller, None, parameters, |rt| {
            rt.create_custom_key_store_call(caller, new)
        })
    }

    pub fn connect_custom_key_store(&mut self, caller: &Caller, id: &str) -> Result<(), KmsError> {
        let parameters = serde_json::json!({"customKeyStoreId": id});
        self.audited_mut("ConnectCustomKeyStore", caller, None, parameters, |rt| {
            rt.connect_custom_key_store_call(caller, id)
        })
    }

    pub fn disconnect_custom_key_store(&mut self, caller: &Caller, id: &str) -> Result<(), KmsError> {
        let parameters = serde_json::json!({"customKeyStoreId": id});
        self.audited_mut("DisconnectCustomKeyStore", caller, None, parameters, |rt| {
            rt.disconnect_custom_key_store_call(caller, id)
        })
    }

    pub fn delete_custom_key_store(&mut self, caller: &Caller, id: &str) -> Result<(), KmsError> {
        let parameters = serde_json::json!({"customKeyStoreId": id});
        self.audited_mut("DeleteCustomKeyStore", caller, None, parameters, |rt| {
            rt.delete_custom_key_store_call(caller, id)
        })
    }

    pub fn update_custom_key_store(&mut self, caller: &Caller, id: &str, update: &StoreUpdate) -> Result<(), KmsError> {
        let parameters = serde_json::json!({
            "customKeyStoreId": id,
            "newCustomKeyStoreName": update.new_name,
            "cloudHsmClusterId": update.cloud_hsm_cluster_id,
            "xksProxyUriEndpoint": update.uri_endpoint,
            "xksProxyUriPath": update.uri_path,
            "xksProxyConnectivity": update.connectivity,
        });
        self.audited_mut("UpdateCustomKeyStore", caller, None, parameters, |rt| {
            rt.update_custom_key_store_call(caller, id, update)
        })
    }

    pub fn describe_custom_key_stores(
        &self,
        caller: &Caller,
        id: Option<&str>,
        name: Option<&str>,
        paging: Paging<'_>,
    ) -> Result<Page<CustomKeyStore>, KmsError> {
        let parameters = serde_json::json!({"customKeyStoreId": id, "customKeyStoreName": name, "limit": paging.limit});
        self.audited("DescribeCustomKeyStores", caller, None, parameters, true, |rt| {
            rt.describe_custom_key_stores_call(caller, id, name, paging)
        })
    }
}
