#!/usr/bin/env python3
"""Generates src/kms/op/model.json: the request constraints of the KMS API model.

Usage:
  tools/kms_model.py path/to/kms-service-2.json > src/kms/op/model.json

Input: botocore's `kms-service-2.json` (Apache-2.0, (c) Amazon.com, Inc.; its
licence and notice are kept beside the output as LICENSE.botocore.txt and
NOTICE.botocore.txt). Output: one JSON object, compact and sorted so diffs
stay small:

  {"source": "kms-2014-11-01", "operations": {"Encrypt": "EncryptRequest", ...},
   "shapes": {"EncryptRequest": {"type": "structure", "required": [...],
              "members": {"KeyId": "KeyIdType", ...}},
              "KeyIdType": {"type": "string", "min": 1, "max": 2048}, ...}}

Only the shapes a request reaches are kept, and of each only what validation
reads: type, min, max, pattern, enum, sensitive, required, and the shapes of
members, list items and map keys and values. Documentation is dropped.
"""
import json
import sys

KEPT = ("type", "min", "max", "pattern", "enum", "sensitive", "required")


def main(path):
    with open(path) as f:
        model = json.load(f)
    shapes = model["shapes"]
    operations = {name: op["input"]["shape"] for name, op in model["operations"].items() if "input" in op}
    out = {}

    def visit(name):
        if name in out:
            return
        shape = shapes[name]
        kept = {k: shape[k] for k in KEPT if k in shape}
        out[name] = kept
        if shape["type"] == "structure":
            kept["members"] = {m: ref["shape"] for m, ref in shape["members"].items()}
            for ref in shape["members"].values():
                visit(ref["shape"])
        elif shape["type"] == "list":
            kept["member"] = shape["member"]["shape"]
            visit(shape["member"]["shape"])
        elif shape["type"] == "map":
            kept["key"] = shape["key"]["shape"]
            kept["value"] = shape["value"]["shape"]
            visit(shape["key"]["shape"])
            visit(shape["value"]["shape"])

    for shape in operations.values():
        visit(shape)
    document = {
        "source": model["metadata"]["uid"],
        "operations": dict(sorted(operations.items())),
        "shapes": dict(sorted(out.items())),
    }
    json.dump(document, sys.stdout, sort_keys=False, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
