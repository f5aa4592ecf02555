//! The KMS API model as `keyward kms` reads it: every operation's input and
//! output shapes from `model.json`, which `tools/kms_cli_model.py` cuts from
//! botocore's `kms-service-2.json` (Apache-2.0, see `NOTICE.botocore.txt`).
//! Names become the AWS CLI's: `GenerateDataKey` → `generate-data-key`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// The embedded model.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Model {
    pub operations: BTreeMap<String, Operation>,
    pub shapes: BTreeMap<String, Shape>,
}

#[derive(Debug, Deserialize)]
pub struct Operation {
    pub doc: String,
    pub input: Option<String>,
    pub output: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Shape {
    Structure {
        required: Vec<String>,
        members: ordered::Members,
    },
    List {
        member: String,
    },
    Map {
        key: String,
        value: String,
    },
    String {
        #[serde(default)]
        r#enum: Vec<String>,
    },
    Integer,
    Long,
    Boolean,
    Blob,
    Timestamp,
    Double,
}

/// One member of a structure.
#[derive(Debug, Deserialize)]
pub struct Member {
    pub shape: String,
    pub doc: String,
}

/// Members in the model's order (the order of `--help` and skeletons).
pub mod ordered {
    use serde::de::{Deserializer, MapAccess, Visitor};
    use serde::Deserialize;

    #[derive(Debug, Default)]
    pub struct Members(pub Vec<(String, super::Member)>);

    impl<'de> Deserialize<'de> for Members {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Members, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Members;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a map of members")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                    let mut members = Vec::new();
                    while let Some(entry) = map.next_entry()? {
                        members.push(entry);
                    }
                    Ok(Members(members))
                }
            }
            d.deserialize_map(V)
        }
    }
}

/// The model, read once.
pub fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        // The file is part of the binary and checked by a test: a broken
        // one is a build defect, so an empty model stands in for it.
        serde_json::from_str(include_str!("model.json")).unwrap_or(Model {
            operations: BTreeMap::new(),
            shapes: BTreeMap::new(),
        })
    })
}

impl Model {
    pub fn shape(&self, name: &str) -> Option<&Shape> {
        self.shapes.get(name)
    }

    /// The members of a structure shape (none for any other).
    pub fn members(&self, name: &str) -> &[(String, Member)] {
        match self.shape(name) {
            Some(Shape::Structure { members, .. }) => &members.0,
            _ => &[],
        }
    }

    pub fn required(&self, name: &str) -> &[String] {
        match self.shape(name) {
            Some(Shape::Structure { required, .. }) => required,
            _ => &[],
        }
    }
}

/// The AWS CLI's name for a model name, as botocore's `xform_name`:
/// `GenerateDataKey` → `generate-data-key`, `AWSAccountId` → `aws-account-id`.
pub fn kebab(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let before = chars[i - 1];
            let after_is_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if before.is_ascii_lowercase() || before.is_ascii_digit() || (before.is_ascii_uppercase() && after_is_lower)
            {
                out.push('-');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_the_aws_clis() {
        assert_eq!(
            kebab("GenerateDataKeyWithoutPlaintext"),
            "generate-data-key-without-plaintext"
        );
        assert_eq!(kebab("ReEncrypt"), "re-encrypt");
        assert_eq!(kebab("AWSAccountId"), "aws-account-id");
        assert_eq!(kebab("KeyId"), "key-id");
        assert_eq!(kebab("GenerateMac"), "generate-mac");
        assert_eq!(kebab("CloudHsmClusterId"), "cloud-hsm-cluster-id");
    }

    #[test]
    fn the_embedded_model_has_every_served_operation() {
        let model = model();
        for name in keyward::kms::op::NAMES {
            let operation = model
                .operations
                .get(*name)
                .unwrap_or_else(|| panic!("{name} in the model"));
            let input = operation.input.as_deref().expect("an input shape");
            assert!(matches!(model.shape(input), Some(Shape::Structure { .. })), "{name}");
        }
    }
}
