#!/usr/bin/env bash
# The whole test suite on a brand-new machine: installs what is missing, starts a Kafka broker and Redis
# for the tests (stopped again at the end), runs every suite, and ends with `N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec npm test -- "$@"
