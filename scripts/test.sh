#!/usr/bin/env bash
# `npm test`: set up the servers the integration tests need, lint, type-check, run every test, stop the servers.
set -u
cd "$(dirname "$0")/.."
source scripts/test-services.sh
trap stop_test_services EXIT
start_test_services || exit 1
echo "== lint" >&2
npx eslint . || exit 1
echo "== type-check" >&2
npx tsc --noEmit -p tsconfig.json || exit 1
echo "== tests" >&2
node scripts/run-tests.mjs "$@"
