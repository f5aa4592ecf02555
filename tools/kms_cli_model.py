#!/usr/bin/env python3
"""Writes src/cli/aws/model.json: the shapes of kms-service-2.json that
`keyward kms <operation>` needs (members, types, required members, enums,
and the first sentence of each description for --help), without the rest.

    python3 tools/kms_cli_model.py ../shared/data/kms-service-2.json > src/cli/aws/model.json

The model is botocore's (Apache-2.0): see src/cli/aws/NOTICE.botocore.txt.
"""
import html
import json
import re
import sys


def summary(doc):
    """The first sentence of an HTML description, as plain text."""
    text = re.sub(r"<[^>]+>", "", doc or "")
    text = html.unescape(re.sub(r"\s+", " ", text)).strip()
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    sentence = match.group(1) if match else text
    return sentence[:200]


def main(path):
    model = json.load(open(path))
    shapes = model["shapes"]
    keep = {}

    def visit(name):
        if name in keep:
            return
        shape = shapes[name]
        out = {"type": shape["type"]}
        if "enum" in shape:
            out["enum"] = shape["enum"]
        if shape["type"] == "structure":
            out["required"] = shape.get("required", [])
            out["members"] = {}
            keep[name] = out
            for member, ref in shape["members"].items():
                out["members"][member] = {"shape": ref["shape"], "doc": summary(ref.get("documentation"))}
                visit(ref["shape"])
            return
        if shape["type"] == "list":
            out["member"] = shape["member"]["shape"]
            visit(out["member"])
        if shape["type"] == "map":
            out["key"] = shape["key"]["shape"]
            out["value"] = shape["value"]["shape"]
            visit(out["key"])
            visit(out["value"])
        keep[name] = out

    operations = {}
    for name, op in sorted(model["operations"].items()):
        entry = {"doc": summary(op.get("documentation"))}
        for side in ("input", "output"):
            if side in op:
                entry[side] = op[side]["shape"]
                visit(op[side]["shape"])
        operations[name] = entry
    json.dump(
        {
            "apiVersion": model["metadata"]["apiVersion"],
            "operations": operations,
            "shapes": dict(sorted(keep.items())),
        },
        sys.stdout,
        indent=1,
        sort_keys=False,
    )
    sys.stdout.write("\n")


main(sys.argv[1])
