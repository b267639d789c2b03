#!/usr/bin/env bash
# Validates a JUnit XML report against the Apache Ant JUnit schema (Windy Road, Apache-2.0), as the
# npm package junit-xml ships it for its own tests; xmllint (libxml2-utils) does the validation.
set -euo pipefail
here=$(dirname "$(realpath "$0")")
source_file="$here/node_modules/junit-xml/src/index.test.ts"
[ -f "$source_file" ] || { echo "junit-xml npm package missing: npm ci --prefix tests/junit" >&2; exit 2; }
schema=$(mktemp --suffix=.xsd)
trap 'rm -f "$schema"' EXIT
grep -m1 "^const antJunitSchema = '" "$source_file" | sed "s/^const antJunitSchema = '//; s/';$//" >"$schema"
grep -q '<xs:element name="testsuite"' "$schema" || { echo "schema not found in $source_file" >&2; exit 2; }
xmllint --noout --schema "$schema" "$@"
