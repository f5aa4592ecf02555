//! Imported key material: `GetParametersForImport`, `ImportKeyMaterial`,
//! `DeleteImportedKeyMaterial` (`runtime::import` does the work).

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::timestamp::{epoch_seconds, from_epoch};

use super::blob::Blob;
use super::check;
use super::{KeyIdForms, Op};
use crate::eval::Caller;
use crate::kms::error::KmsError;
use crate::kms::runtime::{Clock, Import, Runtime};

/// `GetParametersForImport`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetParametersForImport {
    pub key_id: String,
    pub wrapping_algorithm: String,
    pub wrapping_key_spec: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetParametersForImportResponse {
    pub key_id: String,
    pub import_token: Blob,
    pub public_key: Blob,
    #[serde(with = "super::timestamp::epoch")]
    pub parameters_valid_to: SystemTime,
}

impl Op for GetParametersForImport {
    const NAME: &'static str = "GetParametersForImport";
    const ACTION: &'static str = "kms:GetParametersForImport";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:WrappingAlgorithm", "kms:WrappingKeySpec"];
    type Response = GetParametersForImportResponse;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<GetParametersForImportResponse, KmsError> {
        let parameters =
            rt.get_parameters_for_import(caller, &self.key_id, &self.wrapping_algorithm, &self.wrapping_key_spec)?;
        Ok(GetParametersForImportResponse {
            key_id: parameters.key_arn,
            import_token: Blob::new(parameters.import_token),
            public_key: Blob::new(parameters.public_key),
            parameters_valid_to: from_epoch(parameters.parameters_valid_to),
        })
    }
}

/// `ImportKeyMaterial`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportKeyMaterial {
    pub key_id: String,
    pub import_token: Blob,
    pub encrypted_key_material: Blob,
    /// When the material expires (epoch seconds on the wire).
    #[serde(default, with = "super::timestamp::opt_epoch")]
    pub valid_to: Option<SystemTime>,
    pub expiration_model: Option<String>,
    pub import_type: Option<String>,
    pub key_material_description: Option<String>,
    pub key_material_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportKeyMaterialResponse {
    pub key_id: String,
    pub key_material_id: String,
}

impl Op for ImportKeyMaterial {
    const NAME: &'static str = "ImportKeyMaterial";
    const ACTION: &'static str = "kms:ImportKeyMaterial";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:ExpirationModel", "kms:ValidTo"];
    type Response = ImportKeyMaterialResponse;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<ImportKeyMaterialResponse, KmsError> {
        let import = Import {
            import_token: &self.import_token,
            encrypted_key_material: &self.encrypted_key_material,
            // Whole seconds, as KMS keeps them.
            valid_to: self.valid_to.map(epoch_seconds),
            expiration_model: self.expiration_model.as_deref(),
            import_type: self.import_type.as_deref(),
            key_material_id: self.key_material_id.as_deref(),
            key_material_description: self.key_material_description.as_deref(),
        };
        let (metadata, key_material_id) = rt.import_key_material(caller, &self.key_id, &import)?;
        Ok(ImportKeyMaterialResponse {
            key_id: metadata.arn,
            key_material_id,
        })
    }
}

/// `DeleteImportedKeyMaterial`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteImportedKeyMaterial {
    pub key_id: String,
    pub key_material_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteImportedKeyMaterialResponse {
    pub key_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_material_id: Option<String>,
}

impl Op for DeleteImportedKeyMaterial {
    const NAME: &'static str = "DeleteImportedKeyMaterial";
    const ACTION: &'static str = "kms:DeleteImportedKeyMaterial";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = DeleteImportedKeyMaterialResponse;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)
    }

    fn run<C: Clock>(
        &self,
        rt: &mut Runtime<C>,
        caller: &Caller,
    ) -> Result<DeleteImportedKeyMaterialResponse, KmsError> {
        let (key_id, key_material_id) =
            rt.delete_imported_key_material(caller, &self.key_id, self.key_material_id.as_deref())?;
        Ok(DeleteImportedKeyMaterialResponse {
            key_id,
            key_material_id,
        })
    }
}
