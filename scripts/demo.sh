#!/usr/bin/env bash
# The main job end to end on the local stack: installs what is missing, starts Kafka and Redis,
# runs the pipeline, prints where everything ended up, and cleans up.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/scripts/demo.js "$@"
