#!/usr/bin/env bash
# The README's test command: installs what is missing, then lint, type-check
# and every test, ending with a plain "N passed, N failed, N skipped" line.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh
ensure_node_modules
ensure_pulumi_cli
exec npm test --silent
