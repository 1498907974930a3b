"""Validate app_manifest.yml against Slack's own manifest JSON schema.

Usage: python scripts/validate_manifest.py [MANIFEST] [SCHEMA]
Exit 0 when valid; 1 with every problem listed (path and message) otherwise.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCHEMA = ROOT.parent / "shared" / "reference" / "slack-manifest-schema" / "manifest.schema.1.0.0.json"


def problems(manifest_path: Path, schema_path: Path) -> list[str]:
    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{manifest_path.name}: {'/'.join(map(str, error.path)) or '(top)'}: {error.message}"
        for error in sorted(validator.iter_errors(manifest), key=lambda e: list(map(str, e.path)))
    ]


def main(argv: list[str]) -> int:
    manifest_path = Path(argv[1]) if len(argv) > 1 else ROOT / "app_manifest.yml"
    schema_path = Path(argv[2]) if len(argv) > 2 else DEFAULT_SCHEMA
    if not schema_path.is_file():
        print(f"schema not found: {schema_path}", file=sys.stderr)
        return 1
    found = problems(manifest_path, schema_path)
    for problem in found:
        print(problem, file=sys.stderr)
    if not found:
        print(f"{manifest_path.name}: valid against {schema_path.name}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
