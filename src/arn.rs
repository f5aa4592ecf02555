//! [`Arn`]: an Amazon Resource Name split once into its six components
//! (`arn:partition:service:region:account:resource`; the resource keeps any
//! further colons). Everything that reads an ARN's parts reads them here.

use std::fmt;

/// The components of an ARN, borrowed from its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// The components of `text`; `None` unless it starts with `arn:` and
    /// has all six.
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut parts = text.splitn(6, ':');
        let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(resource)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        Some(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }

    /// The account, when it is a 12-digit account id.
    pub fn account_id(&self) -> Option<&'a str> {
        is_account_id(self.account).then_some(self.account)
    }
}

/// The partition a Region belongs to (`aws-cn` for `cn-north-1`,
/// `aws-us-gov` for `us-gov-west-1`, …), as the SDKs' endpoint rules group
/// them; `aws` for every other Region. A key's ARN names it.
pub fn partition_of(region: &str) -> &'static str {
    const PREFIXES: [(&str, &str); 6] = [
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-isof-", "aws-iso-f"),
        ("us-iso-", "aws-iso"),
        ("eu-isoe-", "aws-iso-e"),
    ];
    PREFIXES
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or("aws", |(_, partition)| partition)
}

/// Twelve ASCII digits.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

impl fmt::Display for Arn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Arn;

    #[test]
    fn the_resource_keeps_its_colons_and_display_gives_the_text_back() {
        let text = "arn:aws:kms:us-east-1:111122223333:alias/my:odd";
        let arn = Arn::parse(text).unwrap();
        assert_eq!(
            (arn.partition, arn.service, arn.region, arn.account, arn.resource),
            ("aws", "kms", "us-east-1", "111122223333", "alias/my:odd")
        );
        assert_eq!(arn.account_id(), Some("111122223333"));
        assert_eq!(arn.to_string(), text);
    }

    #[test]
    fn regions_belong_to_their_partitions() {
        use super::partition_of;
        for (region, partition) in [
            ("us-east-1", "aws"),
            ("eu-west-1", "aws"),
            ("cn-north-1", "aws-cn"),
            ("cn-northwest-1", "aws-cn"),
            ("us-gov-west-1", "aws-us-gov"),
            ("us-iso-east-1", "aws-iso"),
            ("us-isob-east-1", "aws-iso-b"),
        ] {
            assert_eq!(partition_of(region), partition, "{region}");
        }
    }

    #[test]
    fn texts_that_are_not_arns_are_refused() {
        for text in [
            "",
            "alias/app",
            "1234abcd-12ab",
            "arn:aws:kms:us-east-1",
            "nra:aws:kms:r:a:b",
        ] {
            assert!(Arn::parse(text).is_none(), "{text}");
        }
        assert_eq!(Arn::parse("arn:aws:iam::aws:policy/x").unwrap().account_id(), None);
    }
}
