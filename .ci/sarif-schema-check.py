#!/usr/bin/env python3
"""Validate a SARIF log against the SARIF 2.1.0 JSON schema with `jsonschema` (the schema is
the one shipped in the npm package @microsoft/sarif-multitool-linux). The multitool's own
`validate` checks SARIF rules but lets enum violations such as an unknown `level` through.

Usage: sarif-schema-check.py SCHEMA.json LOG.sarif
"""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
log = json.load(open(sys.argv[2]))
validator = jsonschema.validators.validator_for(schema)(schema)
errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
for e in errors[:20]:
    print(f"{'/'.join(map(str, e.absolute_path))}: {e.message}", file=sys.stderr)
results = sum(len(r.get("results", [])) for r in log.get("runs", []))
print(f"sarif schema: {len(errors)} error(s); {results} result(s)")
sys.exit(1 if errors else 0)
