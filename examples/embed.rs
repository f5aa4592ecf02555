//! keyward embedded in another program: a KMS service in memory, a key
//! whose policy lets one role encrypt and another decrypt, and every call
//! authorized by the evaluator exactly as `keyward serve` would.
//!
//! ```sh
//! cargo run --example embed --no-default-features
//! ```

use std::error::Error;

use keyward::eval::Caller;
use keyward::kms::op::Json;
use keyward::kms::runtime::SystemClock;
use keyward::kms::{Authorizer, ErrorName, Service};
use keyward::store::MemoryStore;
use serde_json::json;

const ACCOUNT: &str = "111122223333";
const REGION: &str = "eu-west-1";

fn main() -> Result<(), Box<dyn Error>> {
    let kms = Service::open(
        Box::new(MemoryStore::new()),
        Authorizer::default(),
        SystemClock,
        ACCOUNT,
    )?;
    let admin = Caller::parse(&format!("arn:aws:iam::{ACCOUNT}:root"))?;
    let writer = Caller::parse(&format!("arn:aws:iam::{ACCOUNT}:role/writer"))?;
    let reader = Caller::parse(&format!("arn:aws:iam::{ACCOUNT}:role/reader"))?;

    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "Write", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:role/writer")},
             "Action": "kms:Encrypt", "Resource": "*"},
            {"Sid": "ReadBilling", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:role/reader")},
             "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"StringEquals": {"kms:EncryptionContext:app": "billing"}}}
        ]
    });
    let created = kms.call(
        &admin,
        REGION,
        &Json {
            operation: "CreateKey",
            request: &json!({"Policy": policy.to_string(), "Description": "embedded"}),
        },
    )?;
    let key_id = created["KeyMetadata"]["KeyId"].clone();
    println!("created {}", created["KeyMetadata"]["Arn"]);

    let sealed = kms.call(
        &writer,
        REGION,
        &Json {
            operation: "Encrypt",
            request: &json!({"KeyId": key_id, "Plaintext": "aGVsbG8=", "EncryptionContext": {"app": "billing"}}),
        },
    )?;
    let blob = sealed["CiphertextBlob"].clone();

    // The reader may decrypt billing data...
    let opened = kms.call(
        &reader,
        REGION,
        &Json {
            operation: "Decrypt",
            request: &json!({"CiphertextBlob": blob, "EncryptionContext": {"app": "billing"}}),
        },
    )?;
    println!("reader decrypted {}", opened["Plaintext"]);

    // ...but the writer may not decrypt at all: the key policy says so.
    let refused = kms
        .call(
            &writer,
            REGION,
            &Json {
                operation: "Decrypt",
                request: &json!({"CiphertextBlob": blob, "EncryptionContext": {"app": "billing"}}),
            },
        )
        .expect_err("the writer has no kms:Decrypt");
    assert_eq!(refused.name, ErrorName::AccessDeniedException);
    println!("writer refused: {}", refused.message);
    Ok(())
}
