//! Grants: create, list, retire, revoke. The grant a `CreateGrant` request
//! describes is read by the grant reader (`policy`), so every problem with
//! it is reported in one `ValidationException`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::check;
use super::encrypt::refuse_unsupported;
use super::shapes::Empty;
use super::{KeyIdForms, Op};
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::runtime::{Clock, Page, Paging, Runtime};
use crate::kms::Target;
use crate::policy::{Document, DocumentKind, Grant};
use crate::source::Source;

/// The grant a `CreateGrant` request describes (`GranteePrincipal`,
/// `Operations`, `RetiringPrincipal`, `Constraints`, `Name`), read by the
/// grant reader, so every problem is reported in one `ValidationException`.
pub fn grant_from_request(request: &Value) -> Result<Grant, KmsError> {
    let members: Map<String, Value> = [
        "GranteePrincipal",
        "Operations",
        "RetiringPrincipal",
        "Constraints",
        "Name",
    ]
    .iter()
    .filter_map(|name| {
        let value = request.get(*name).filter(|v| !v.is_null())?;
        Some(((*name).to_owned(), value.clone()))
    })
    .collect();
    let source = Source::new("CreateGrant", Value::Object(members).to_string());
    match Document::parse(&source, Some(DocumentKind::Grants)) {
        Ok(Document::Grants(mut grants)) if grants.grants.len() == 1 => Ok(grants.grants.remove(0).node),
        Ok(_) => Err(KmsError::new(
            ErrorName::ValidationException,
            "The request is not one grant.",
        )),
        Err(errors) => {
            let problems: Vec<String> = errors.errors.iter().map(|e| e.to_string()).collect();
            Err(KmsError::new(ErrorName::ValidationException, problems.join("; ")))
        }
    }
}

/// `GrantListEntry`, printed by the canonical grant printer.
pub fn grant_entry(grant: &Grant) -> Value {
    let text = crate::policy::fmt::grants_json(&crate::policy::Grants {
        shape: crate::policy::GrantsShape::One,
        grants: vec![crate::Spanned::new(grant.clone(), crate::Span::default())],
    });
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// `CreateGrant`. The grant's own members stay JSON until the grant reader
/// reads them (with its spans and every problem at once).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGrant {
    pub key_id: String,
    pub grantee_principal: Value,
    pub operations: Value,
    pub retiring_principal: Option<Value>,
    pub constraints: Option<Value>,
    pub name: Option<Value>,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
    pub dry_run: Option<bool>,
}

impl CreateGrant {
    /// The grant it describes.
    pub fn grant(&self) -> Result<Grant, KmsError> {
        let mut members = Map::new();
        members.insert("GranteePrincipal".into(), self.grantee_principal.clone());
        members.insert("Operations".into(), self.operations.clone());
        let optional = [
            ("RetiringPrincipal", &self.retiring_principal),
            ("Constraints", &self.constraints),
            ("Name", &self.name),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                members.insert(name.into(), value.clone());
            }
        }
        grant_from_request(&Value::Object(members))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGrantResponse {
    pub grant_token: String,
    pub grant_id: String,
}

impl Op for CreateGrant {
    const NAME: &'static str = "CreateGrant";
    const ACTION: &'static str = "kms:CreateGrant";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = true;
    const TAKES_GRANT_TOKENS: bool = true;
    const CONDITION_KEYS: &'static [&'static str] = &[
        "kms:GrantOperations",
        "kms:GranteePrincipal",
        "kms:RetiringPrincipal",
        "kms:GrantConstraintType",
        "kms:EncryptionContext:${EncryptionContextKey}",
        "kms:EncryptionContextKeys",
        "kms:GrantIsForAWSResource",
    ];
    type Response = CreateGrantResponse;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn dry_run(&self) -> bool {
        self.dry_run == Some(true)
    }

    fn validate(&self) -> Result<(), KmsError> {
        refuse_unsupported(None, &[])?;
        check::key_id("KeyId", &self.key_id)
    }

    fn target(&self) -> Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<CreateGrantResponse, KmsError> {
        let issued = rt.create_grant(caller, &self.key_id, self.grant()?, &self.grant_tokens)?;
        Ok(CreateGrantResponse {
            grant_token: issued.grant_token,
            grant_id: issued.grant_id,
        })
    }
}

/// `ListGrants` and `ListRetirableGrants`' response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListGrantsResponse {
    /// `GrantListEntry`s.
    pub grants: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    pub truncated: bool,
}

impl From<Page<Grant>> for ListGrantsResponse {
    fn from(page: Page<Grant>) -> ListGrantsResponse {
        ListGrantsResponse {
            truncated: page.truncated(),
            grants: page.items.iter().map(grant_entry).collect(),
            next_marker: page.next_marker,
        }
    }
}

/// `ListGrants`: a key's grants.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListGrants {
    pub limit: Option<i64>,
    pub marker: Option<String>,
    pub key_id: String,
    pub grant_id: Option<String>,
    pub grantee_principal: Option<String>,
}

impl Op for ListGrants {
    const NAME: &'static str = "ListGrants";
    const ACTION: &'static str = "kms:ListGrants";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:GrantIsForAWSResource"];
    type Response = ListGrantsResponse;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)?;
        check::grant_id("GrantId", self.grant_id.as_deref())
    }

    fn target(&self) -> Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<ListGrantsResponse, KmsError> {
        let paging = Paging {
            limit: self.limit,
            marker: self.marker.as_deref(),
        };
        let page = rt.list_grants(
            caller,
            &self.key_id,
            self.grant_id.as_deref(),
            self.grantee_principal.as_deref(),
            paging,
        )?;
        Ok(page.into())
    }
}

/// `ListRetirableGrants`: the grants a principal may retire.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRetirableGrants {
    pub limit: Option<i64>,
    pub marker: Option<String>,
    pub retiring_principal: String,
}

impl Op for ListRetirableGrants {
    const NAME: &'static str = "ListRetirableGrants";
    const ACTION: &'static str = "kms:ListRetirableGrants";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::NoKey;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = ListGrantsResponse;

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<ListGrantsResponse, KmsError> {
        let paging = Paging {
            limit: self.limit,
            marker: self.marker.as_deref(),
        };
        Ok(rt
            .list_retirable_grants(caller, &self.retiring_principal, paging)?
            .into())
    }
}

/// `RetireGrant`, by grant token or by key and grant id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RetireGrant {
    pub grant_token: Option<String>,
    pub key_id: Option<String>,
    pub grant_id: Option<String>,
    pub dry_run: Option<bool>,
}

impl Op for RetireGrant {
    const NAME: &'static str = "RetireGrant";
    const ACTION: &'static str = "kms:RetireGrant";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = true;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = Empty;

    fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    fn dry_run(&self) -> bool {
        self.dry_run == Some(true)
    }

    fn validate(&self) -> Result<(), KmsError> {
        refuse_unsupported(None, &[])?;
        check::opt_key_id("KeyId", self.key_id.as_deref())?;
        check::grant_id("GrantId", self.grant_id.as_deref())
    }

    fn target(&self) -> Target {
        self.key_id.as_deref().map_or(Target::Caller, super::target_of_key)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<Empty, KmsError> {
        let by_id = self.key_id.as_deref().zip(self.grant_id.as_deref());
        rt.retire_grant(caller, self.grant_token.as_deref(), by_id)?;
        Ok(Empty {})
    }
}

/// `RevokeGrant`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RevokeGrant {
    pub key_id: String,
    pub grant_id: String,
    pub dry_run: Option<bool>,
}

impl Op for RevokeGrant {
    const NAME: &'static str = "RevokeGrant";
    const ACTION: &'static str = "kms:RevokeGrant";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = true;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:GrantIsForAWSResource"];
    type Response = Empty;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn dry_run(&self) -> bool {
        self.dry_run == Some(true)
    }

    fn validate(&self) -> Result<(), KmsError> {
        refuse_unsupported(None, &[])?;
        check::key_id("KeyId", &self.key_id)?;
        check::grant_id("GrantId", Some(&self.grant_id))
    }

    fn target(&self) -> Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<Empty, KmsError> {
        rt.revoke_grant(caller, &self.key_id, &self.grant_id)?;
        Ok(Empty {})
    }
}
