//! boto3 against the server: each test starts a server with the test
//! accounts file and runs one scenario of `sdk.py`.

use super::{accounts, scenario, Served};

fn served(name: &str) -> Served {
    let accounts = accounts();
    Served::start(
        name,
        &["--ephemeral", "--accounts", accounts.to_str().expect("a UTF-8 path")],
    )
}

#[test]
fn a_second_principal_is_denied_until_a_constrained_grant_lets_it_decrypt_and_again_once_retired() {
    scenario(&served("sdk-grants"), "policy_and_grants");
}

// key-policy-modifying-external-accounts.html and the ReEncrypt API page.
#[test]
fn re_encrypt_between_two_accounts_over_the_sdk_follows_both_key_policies() {
    scenario(&served("sdk-cross-account-re-encrypt"), "cross_account_re_encrypt");
}

#[test]
fn aliases_name_keys_per_region_over_the_sdk() {
    scenario(&served("sdk-aliases"), "aliases");
}

#[test]
fn key_states_refuse_calls_with_aws_errors_over_the_sdk() {
    scenario(&served("sdk-states"), "key_states");
}

#[test]
fn errors_come_back_with_aws_names_and_4xx_statuses() {
    scenario(&served("sdk-errors"), "errors");
}

#[test]
fn every_key_kind_signs_encrypts_agrees_and_macs_over_the_sdk_as_python_cryptography_checks() {
    scenario(&served("sdk-key-kinds"), "key_kinds");
}

#[test]
fn lists_page_with_limit_and_marker_and_the_sdk_paginators() {
    scenario(&served("sdk-pages"), "pagination");
}

// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
#[test]
fn sts_assume_role_follows_the_trust_policy_and_its_credentials_sign_as_the_session() {
    scenario(&served("sdk-assume-role"), "assume_role");
}

// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html
#[test]
fn sts_get_session_token_gives_credentials_of_the_same_principal_and_none_to_a_session() {
    scenario(&served("sdk-session-token"), "session_token");
}

#[test]
fn sts_get_caller_identity_names_the_principal_of_the_access_key() {
    scenario(&served("sdk-sts"), "caller_identity");
}

#[test]
fn a_wrong_secret_an_unknown_key_a_bad_region_scope_and_an_expired_date_are_refused() {
    scenario(&served("sdk-signatures"), "signatures");
}

#[test]
fn test_mode_takes_unknown_access_keys_as_account_roots_like_moto() {
    let served = Served::start(
        "sdk-test-mode",
        &["--ephemeral", "--test-mode", "--default-account", "444455556666"],
    );
    scenario(&served, "test_mode");
}
