#!/usr/bin/env python3
"""Checks a JSON document against a JSON Schema.

Usage: validate_json.py SCHEMA FILE   (FILE "-" reads standard input)
Exit 0 if it is valid; 1 if not, with one line per error on stderr; 2 on a usage
error or a file that cannot be read or parsed. Needs Debian's python3-jsonschema.
"""

import json
import sys

import jsonschema


def load(path):
    if path == "-":
        return json.load(sys.stdin)
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def where(error):
    return "/".join(str(part) for part in error.absolute_path) or "(document)"


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        schema, document = load(argv[1]), load(argv[2])
    except (OSError, ValueError) as error:
        print(f"validate_json: {error}", file=sys.stderr)
        return 2
    validator_class = jsonschema.validators.validator_for(schema)
    try:
        validator_class.check_schema(schema)
    except jsonschema.exceptions.SchemaError as error:
        print(f"validate_json: {argv[1]} is not a valid schema: {error.message}", file=sys.stderr)
        return 2
    errors = sorted(validator_class(schema).iter_errors(document), key=where)
    for error in errors:
        print(f"{argv[2]}: {where(error)}: {error.message}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
