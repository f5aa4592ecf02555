//! [`KeyRef`]: a `KeyId` member read once into the form AWS sees in it: a key
//! id, a key ARN, an alias name or an alias ARN. The runtime resolves it, the
//! service routes by it, the authorizer takes `kms:RequestAlias` from it.

use super::store::Partition;
use crate::arn::Arn;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRef<'a> {
    /// `1234abcd-12ab-34cd-56ef-1234567890ab`
    Id(&'a str),
    /// `alias/ExampleAlias`
    AliasName(&'a str),
    /// `arn:aws:kms:us-east-1:111122223333:key/1234abcd-…`
    KeyArn { arn: Arn<'a>, id: &'a str },
    /// `arn:aws:kms:us-east-1:111122223333:alias/ExampleAlias`
    AliasArn { arn: Arn<'a>, name: &'a str },
    /// An ARN that names no KMS key or alias (another service's, a typo).
    OtherArn(Arn<'a>),
}

impl<'a> KeyRef<'a> {
    pub fn parse(text: &'a str) -> KeyRef<'a> {
        let Some(arn) = Arn::parse(text) else {
            return if text.starts_with("alias/") {
                KeyRef::AliasName(text)
            } else {
                KeyRef::Id(text)
            };
        };
        if arn.service != "kms" {
            return KeyRef::OtherArn(arn);
        }
        if let Some(id) = arn.resource.strip_prefix("key/") {
            KeyRef::KeyArn { arn, id }
        } else if arn.resource.starts_with("alias/") {
            KeyRef::AliasArn {
                arn,
                name: arn.resource,
            }
        } else {
            KeyRef::OtherArn(arn)
        }
    }

    /// The ARN, for the two ARN forms.
    pub fn arn(&self) -> Option<Arn<'a>> {
        match *self {
            KeyRef::KeyArn { arn, .. } | KeyRef::AliasArn { arn, .. } | KeyRef::OtherArn(arn) => Some(arn),
            KeyRef::Id(_) | KeyRef::AliasName(_) => None,
        }
    }

    /// The partition an ARN names; `None` for a bare id or alias name, which
    /// name a key of the caller's own account.
    pub fn partition(&self) -> Option<Partition> {
        self.arn().map(|arn| Partition::new(arn.account, arn.region))
    }

    /// The alias name (`alias/…`) of an alias name or alias ARN: what
    /// `kms:RequestAlias` is set to.
    pub fn alias_name(&self) -> Option<&'a str> {
        match *self {
            KeyRef::AliasName(name) | KeyRef::AliasArn { name, .. } => Some(name),
            _ => None,
        }
    }

    /// Whether it names an alias (either form).
    pub fn is_alias(&self) -> bool {
        self.alias_name().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::KeyRef;

    #[test]
    fn each_of_the_four_key_id_forms_is_recognized() {
        let id = "1234abcd-12ab-34cd-56ef-1234567890ab";
        assert_eq!(KeyRef::parse(id), KeyRef::Id(id));
        assert_eq!(KeyRef::parse("alias/app"), KeyRef::AliasName("alias/app"));
        let key_arn = format!("arn:aws:kms:us-east-1:111122223333:key/{id}");
        assert!(matches!(KeyRef::parse(&key_arn), KeyRef::KeyArn { id: i, .. } if i == id));
        let alias_arn = KeyRef::parse("arn:aws:kms:eu-west-1:444455556666:alias/app");
        assert_eq!(alias_arn.alias_name(), Some("alias/app"));
        let partition = alias_arn.partition().unwrap();
        assert_eq!(
            (partition.account.as_str(), partition.region.as_str()),
            ("444455556666", "eu-west-1")
        );
        assert!(matches!(KeyRef::parse("arn:aws:s3:::bucket/key"), KeyRef::OtherArn(_)));
    }
}
