#!/usr/bin/env python3
"""Checks that a YAML reader reads `protogate openapi --yaml` as the same document as the JSON.

usage: yaml_roundtrip.py PROTOGATE DESCRIPTOR_SET...
"""
import json
import subprocess
import sys

import yaml


def render(protogate, pb, fmt, *extra):
    cmd = [protogate, "openapi", "--descriptor-set", pb, "--format", fmt, *extra]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def main():
    protogate, sets = sys.argv[1], sys.argv[2:]
    failed = 0
    for pb in sets:
        for fmt in ("3.1", "2.0"):
            for extra in ((), ("--proto-names",)):
                want = json.loads(render(protogate, pb, fmt, *extra))
                got = yaml.safe_load(render(protogate, pb, fmt, "--yaml", *extra))
                same = got == want
                failed += not same
                print(f"{pb} {fmt} {' '.join(extra)}: {'same' if same else 'DIFFERENT'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
