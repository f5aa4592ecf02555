//! boto3 against the server: AWS's validation, DryRun and the newer API
//! members (`sdk_api.py`).

use super::{accounts, scenario_of, scenario_with, scratch, Served};

fn served(name: &str) -> Served {
    let accounts = accounts();
    Served::start(
        name,
        &["--ephemeral", "--accounts", accounts.to_str().expect("a UTF-8 path")],
    )
}

#[test]
fn key_id_only_operations_and_model_constraints_are_validated_as_aws_does_over_the_sdk() {
    scenario_of("sdk_api.py", &served("sdk-api-validation"), "validation");
}

#[test]
fn dry_run_answers_dry_run_operation_exception_or_the_real_error_over_the_sdk() {
    scenario_of("sdk_api.py", &served("sdk-api-dry-run"), "dry_run");
}

#[test]
fn tags_on_create_key_rotation_arns_and_pages_material_ids_and_last_usage_over_the_sdk() {
    scenario_of("sdk_api.py", &served("sdk-api-newer"), "newer_members");
}

#[test]
fn a_replica_in_another_region_decrypts_and_becomes_primary_over_the_sdk() {
    scenario_of("sdk_api.py", &served("sdk-api-mrk"), "multi_region");
}

#[test]
fn key_material_wrapped_by_python_cryptography_imports_with_each_wrapping_algorithm_over_the_sdk() {
    scenario_of("sdk_api.py", &served("sdk-api-import"), "import_material");
}

#[test]
fn hmac_and_ecc_material_and_several_materials_rotated_on_demand_import_over_the_sdk() {
    scenario_of("sdk_api.py", &served("sdk-api-import-kinds"), "import_kinds");
}

#[test]
fn custom_key_stores_connect_hold_keys_and_refuse_what_aws_refuses_over_the_sdk() {
    scenario_of("sdk_api.py", &served("sdk-api-custom-key-stores"), "custom_key_stores");
}

/// `keyward xks-proxy` as the live proxy of an external key store, over
/// `keyward serve --xks-plain-http`.
#[test]
fn an_external_key_store_with_a_live_proxy_connects_and_doubly_encrypts_over_the_sdk() {
    let dir = scratch("sdk-api-xks-proxy");
    let proxy = crate::xks_proxy::start_with(&dir, "/example", "AKIAXKSKEYSTESTABCDE", &["k1"]);
    let accounts = accounts();
    let served = Served::start(
        "sdk-api-external-key-store",
        &[
            "--ephemeral",
            "--xks-plain-http",
            // A busy test machine may take longer than AWS's 250 ms.
            "--xks-timeout-ms",
            "5000",
            "--accounts",
            accounts.to_str().expect("a UTF-8 path"),
        ],
    );
    scenario_with(
        "sdk_api.py",
        &served,
        "external_key_store",
        &[&proxy.address, crate::xks_proxy::SECRET],
    );
}
