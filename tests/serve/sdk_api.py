"""keyward serve driven by boto3: AWS's validation and the newer API members.

    python sdk_api.py ENDPOINT SCENARIO

Shares sdk.py's clients and checks; each behaviour names the AWS page it
comes from in docs/api-validation.md.
"""

import sys

from sdk import ACCOUNT, ROOT, client, refused


def validation():
    kms = client(ROOT)
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=key["KeyId"])
    # Key-ID-only operations refuse an alias as a key they cannot find.
    for call, extra in [
        (kms.enable_key_rotation, {}),
        (kms.get_key_rotation_status, {}),
        (kms.get_key_policy, {"PolicyName": "default"}),
        (kms.list_resource_tags, {}),
        (kms.update_key_description, {"Description": "d"}),
        (kms.disable_key, {}),
        (kms.list_grants, {}),
    ]:
        message = refused("NotFoundException", call, KeyId="alias/app", **extra)
        assert message == "Invalid keyId alias/app", message
    # Validation before authorization.
    refused("ValidationException", kms.delete_alias, AliasName="app")
    refused("ValidationException", kms.create_alias, AliasName="alias/my:alias", TargetKeyId=key["KeyId"])
    message = refused("ValidationException", kms.create_key, Description="d" * 8193, KeySpec="AES_512")
    assert message.startswith("2 validation errors detected: "), message
    refused("ValidationException", kms.list_keys, Limit=1001)
    refused("ValidationException", kms.generate_random, NumberOfBytes=1025)


def dry_run():
    kms = client(ROOT)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    refused("DryRunOperationException", kms.encrypt, KeyId=key, Plaintext=b"x", DryRun=True)
    blob = kms.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    refused("DryRunOperationException", kms.decrypt, CiphertextBlob=blob, DryRun=True)
    refused("DryRunOperationException", kms.generate_data_key, KeyId=key, KeySpec="AES_256", DryRun=True)
    grantee = f"arn:aws:iam::{ACCOUNT}:role/app"
    refused("DryRunOperationException", kms.create_grant, KeyId=key, GranteePrincipal=grantee,
            Operations=["Decrypt"], DryRun=True)
    assert kms.list_grants(KeyId=key)["Grants"] == []
    kms.disable_key(KeyId=key)
    refused("DisabledException", kms.encrypt, KeyId=key, Plaintext=b"x", DryRun=True)


def newer_members():
    kms = client(ROOT)
    created = kms.create_key(Tags=[{"TagKey": "team", "TagValue": "blue"}])["KeyMetadata"]
    key, arn = created["KeyId"], created["Arn"]
    assert kms.list_resource_tags(KeyId=key)["Tags"] == [{"TagKey": "team", "TagValue": "blue"}]
    assert created["CurrentKeyMaterialId"], created
    rotated = kms.rotate_key_on_demand(KeyId=key)
    assert rotated["KeyId"] == arn, rotated
    kms.rotate_key_on_demand(KeyId=key)
    page = kms.list_key_rotations(KeyId=key, Limit=1)
    assert len(page["Rotations"]) == 1 and page["Truncated"], page
    rest = kms.list_key_rotations(KeyId=key, Limit=1, Marker=page["NextMarker"])
    assert len(rest["Rotations"]) == 1 and not rest["Truncated"], rest
    blob = kms.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    opened = kms.decrypt(CiphertextBlob=blob)
    assert opened["KeyMaterialId"], opened
    again = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=key)
    assert again["SourceKeyMaterialId"] == opened["KeyMaterialId"], again
    usage = kms.get_key_last_usage(KeyId=key)
    assert usage["KeyLastUsage"]["Operation"] == "ReEncrypt", usage
    aliases = [a for a in kms.list_aliases(Limit=100)["Aliases"] if a["AliasName"] == "alias/aws/s3"]
    assert aliases and "TargetKeyId" not in aliases[0], aliases


SCENARIOS = {
    "validation": validation,
    "dry_run": dry_run,
    "newer_members": newer_members,
}

if __name__ == "__main__":
    SCENARIOS[sys.argv[2]]()
    print(f"{sys.argv[2]}: passed")
