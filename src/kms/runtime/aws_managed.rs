//! AWS managed keys (§4.1): one per service and account, named
//! `alias/aws/<service>`, created the first time a call names that alias.
//! Their key policy lets the account's principals use the key only through
//! the service (`kms:ViaService` and `kms:CallerAccount`) and lets the
//! account read its metadata; nothing else. No principal may change the
//! policy, disable, delete, tag, alias or rotate the key: every such call is
//! refused by that policy, as in AWS. They rotate every year on their own.

use super::key::{KeyManager, Rotation};
use super::{Alias, Clock, Runtime};
use crate::eval::Caller;
use crate::kms::error::KmsError;

/// Seconds in a day.
const DAY: i64 = 86_400;

/// AWS managed keys rotate every year (§2.2).
pub const AWS_MANAGED_ROTATION_DAYS: i64 = 365;

/// A service with an AWS managed key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManagedService {
    /// The alias suffix: `alias/aws/<name>`.
    pub name: &'static str,
    /// The first label of the service's endpoint, as `kms:ViaService`
    /// names it (`ec2` for EBS).
    pub endpoint: &'static str,
    /// How the key policy's first statement names the service.
    pub title: &'static str,
    /// The service creates grants on the key (EBS volumes, RDS instances…),
    /// so its policy allows `kms:CreateGrant` through the service.
    pub uses_grants: bool,
}

const fn service(name: &'static str, endpoint: &'static str, title: &'static str, uses_grants: bool) -> ManagedService {
    ManagedService {
        name,
        endpoint,
        title,
        uses_grants,
    }
}

/// The services keyward knows an AWS managed key for, by alias suffix.
pub const MANAGED_SERVICES: &[ManagedService] = &[
    service("acm", "acm", "AWS Certificate Manager", false),
    service("backup", "backup", "AWS Backup", false),
    service("codecommit", "codecommit", "CodeCommit", false),
    service("dynamodb", "dynamodb", "Amazon DynamoDB", true),
    service("ebs", "ec2", "EBS", true),
    service("ecr", "ecr", "Amazon ECR", false),
    service(
        "elasticfilesystem",
        "elasticfilesystem",
        "Amazon Elastic File System",
        true,
    ),
    service("es", "es", "Amazon OpenSearch Service", false),
    service("firehose", "firehose", "Amazon Kinesis Data Firehose", false),
    service("fsx", "fsx", "Amazon FSx", true),
    service("glue", "glue", "AWS Glue", false),
    service("kinesis", "kinesis", "Amazon Kinesis", false),
    service("lambda", "lambda", "AWS Lambda", true),
    service("rds", "rds", "RDS", true),
    service("redshift", "redshift", "Redshift", true),
    service("s3", "s3", "S3", false),
    service("secretsmanager", "secretsmanager", "AWS Secrets Manager", true),
    service("sns", "sns", "SNS", false),
    service("sqs", "sqs", "SQS", false),
    service("ssm", "ssm", "Amazon SSM", false),
    service("workspaces", "workspaces", "Amazon WorkSpaces", true),
    service("xray", "xray", "AWS X-Ray", false),
];

/// The service whose AWS managed key `alias_name` (`alias/aws/<service>`) names.
pub fn managed_service(alias_name: &str) -> Option<&'static ManagedService> {
    let name = alias_name.strip_prefix("alias/aws/")?;
    MANAGED_SERVICES.iter().find(|s| s.name == name)
}

impl ManagedService {
    /// The `kms:ViaService` value of calls through this service in `region`.
    pub fn via_service(&self, region: &str) -> String {
        format!("{}.{region}.amazonaws.com", self.endpoint)
    }

    /// The key policy AWS gives the service's managed key (§4.1's shape):
    /// use through the service by the account's principals, and read-only
    /// metadata access for the account. No statement delegates `kms:*` to
    /// the account, so identity policies cannot widen it.
    pub fn key_policy(&self, account: &str, region: &str) -> String {
        let grant = if self.uses_grants { "\"kms:CreateGrant\", " } else { "" };
        let revoke = if self.uses_grants { ", \"kms:RevokeGrant\"" } else { "" };
        format!(
            r#"{{
  "Version" : "2012-10-17",
  "Id" : "auto-{name}-2",
  "Statement" : [ {{
    "Sid" : "Allow access through {title} for all principals in the account that are authorized to use {title}",
    "Effect" : "Allow",
    "Principal" : {{
      "AWS" : "*"
    }},
    "Action" : [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", {grant}"kms:DescribeKey" ],
    "Resource" : "*",
    "Condition" : {{
      "StringEquals" : {{
        "kms:CallerAccount" : "{account}",
        "kms:ViaService" : "{via}"
      }}
    }}
  }}, {{
    "Sid" : "Allow direct access to key metadata to the account",
    "Effect" : "Allow",
    "Principal" : {{
      "AWS" : "arn:aws:iam::{account}:root"
    }},
    "Action" : [ "kms:Describe*", "kms:Get*", "kms:List*"{revoke} ],
    "Resource" : "*"
  }} ]
}}"#,
            name = self.name,
            title = self.title,
            via = self.via_service(region),
        )
    }
}

impl<C: Clock> Runtime<C> {
    /// Creates the AWS managed key `key_id` names, when it names the alias
    /// `alias/aws/<service>` (or its ARN) of a known service that has no key
    /// yet, as AWS does on the first use of the alias by the account. Anything
    /// else, and any call from another account, is left to the operation,
    /// which finds the key or reports it missing.
    pub(super) fn provision_managed_key(&mut self, caller: &Caller, key_id: &str) -> Result<(), KmsError> {
        if caller.account.as_deref().is_some_and(|a| a != self.account) {
            return Ok(());
        }
        let Some(name) = self.local_name(key_id) else {
            return Ok(());
        };
        let Some(service) = managed_service(name) else {
            return Ok(());
        };
        if self.aliases.contains_key(name) {
            return Ok(());
        }
        let id = super::uuid();
        let arn = self.key_arn(&id);
        let text = service.key_policy(&self.account, &self.region);
        let policy = self.compile_key_policy(&arn, &text)?;
        let description = format!(
            "Default key that protects my {} data when no other key is defined",
            service.title
        );
        let mut key = self.new_key(id.clone(), arn.clone(), KeyManager::Aws, &description, text, policy);
        let now = self.clock.now();
        key.rotation = Some(Rotation {
            period_days: AWS_MANAGED_ROTATION_DAYS,
            next: now.saturating_add(AWS_MANAGED_ROTATION_DAYS * DAY),
        });
        self.keys.insert(id.clone(), key);
        self.aliases.insert(
            name.to_owned(),
            Alias {
                name: name.to_owned(),
                arn: self.alias_arn(name),
                target_key_id: id,
                created: now,
            },
        );
        self.audit
            .service_event(&self.region, &self.account, now, "CreateKey", &arn);
        Ok(())
    }
}

impl<C: Clock> Runtime<C> {
    /// The `alias/aws/<service>` aliases AWS lists in every account before
    /// their keys exist, with no target key or dates
    /// (<https://docs.aws.amazon.com/kms/latest/APIReference/API_ListAliases.html>:
    /// "the response might include aliases that have no TargetKeyId field.
    /// These are predefined aliases that AWS has created but has not yet
    /// associated with a KMS key"): those not yet created here.
    pub(super) fn predefined_aliases(&self) -> impl Iterator<Item = Alias> + '_ {
        MANAGED_SERVICES.iter().filter_map(move |service| {
            let name = format!("alias/aws/{}", service.name);
            (!self.aliases.contains_key(&name)).then(|| Alias {
                arn: self.alias_arn(&name),
                name,
                target_key_id: String::new(),
                created: 0,
            })
        })
    }
}
