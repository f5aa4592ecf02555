//! Tags on keys.

use serde::{Deserialize, Serialize};

use super::check;
use super::shapes::{Empty, Tag};
use super::{KeyIdForms, Op};
use crate::eval::Caller;
use crate::kms::error::KmsError;
use crate::kms::runtime::{Clock, Runtime};

/// `TagResource`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResource {
    pub key_id: String,
    pub tags: Vec<Tag>,
}

impl Op for TagResource {
    const NAME: &'static str = "TagResource";
    const ACTION: &'static str = "kms:TagResource";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &["aws:RequestTag/${TagKey}", "aws:TagKeys"];
    type Response = Empty;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<Empty, KmsError> {
        let tags: Vec<(String, String)> = self
            .tags
            .iter()
            .map(|t| (t.tag_key.clone(), t.tag_value.clone()))
            .collect();
        rt.tag_resource(caller, &self.key_id, &tags)?;
        Ok(Empty {})
    }
}

/// `UntagResource`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UntagResource {
    pub key_id: String,
    pub tag_keys: Vec<String>,
}

impl Op for UntagResource {
    const NAME: &'static str = "UntagResource";
    const ACTION: &'static str = "kms:UntagResource";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &["aws:TagKeys"];
    type Response = Empty;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<Empty, KmsError> {
        rt.untag_resource(caller, &self.key_id, &self.tag_keys)?;
        Ok(Empty {})
    }
}

/// `ListResourceTags` (never paged here: every tag, not truncated).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListResourceTags {
    pub key_id: String,
    pub limit: Option<i64>,
    pub marker: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListResourceTagsResponse {
    pub tags: Vec<Tag>,
    pub truncated: bool,
}

impl Op for ListResourceTags {
    const NAME: &'static str = "ListResourceTags";
    const ACTION: &'static str = "kms:ListResourceTags";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = ListResourceTagsResponse;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<ListResourceTagsResponse, KmsError> {
        let tags = rt.list_resource_tags(caller, &self.key_id)?;
        Ok(ListResourceTagsResponse {
            tags: tags
                .into_iter()
                .map(|(tag_key, tag_value)| Tag { tag_key, tag_value })
                .collect(),
            truncated: false,
        })
    }
}
