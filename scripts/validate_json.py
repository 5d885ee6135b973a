#!/usr/bin/env python3
"""Validates briefd's JSON outputs against docs/schemas/ and its one spelling (snake_case keys).

    python3 scripts/validate_json.py SCHEMA FILE...   (SCHEMA: a file name in docs/schemas, e.g. rot.schema.json)

Exit status 0 when every file validates; 1 with each problem on stderr (file, JSON path, reason).
"""
import json
import pathlib
import re
import sys

import jsonschema
from referencing import Registry, Resource

SCHEMAS = pathlib.Path(__file__).resolve().parent.parent / "docs" / "schemas"
CAMEL = re.compile(r"[A-Z]")


def registry():
    resources = []
    for path in SCHEMAS.glob("*.schema.json"):
        schema = json.loads(path.read_text())
        resource = Resource.from_contents(schema)
        resources.append((path.name, resource))
        resources.append((schema["$id"], resource))
    return Registry().with_resources(resources)


def keys_not_snake(value, where="$"):
    """Every object key in one spelling: lower case, digits, '_' (and '-' in values used as keys, like verdicts)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if CAMEL.search(key):
                yield f"{where}: key '{key}' is not snake_case"
            yield from keys_not_snake(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from keys_not_snake(inner, f"{where}[{index}]")


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    schema = json.loads((SCHEMAS / sys.argv[1]).read_text())
    validator = jsonschema.Draft202012Validator(schema, registry=registry())
    problems = 0
    for name in sys.argv[2:]:
        try:
            document = json.loads(pathlib.Path(name).read_text())
        except (OSError, ValueError) as error:
            print(f"{name}: not JSON: {error}", file=sys.stderr)
            problems += 1
            continue
        for error in validator.iter_errors(document):
            print(f"{name}: {error.json_path}: {error.message}", file=sys.stderr)
            problems += 1
        for problem in keys_not_snake(document):
            print(f"{name}: {problem}", file=sys.stderr)
            problems += 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
