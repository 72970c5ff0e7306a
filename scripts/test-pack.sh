#!/usr/bin/env bash
# What a user gets from the published package: `npm pack`, install the tarball into an empty folder (the Kafka
# client's native part builds there as in scripts/setup.sh), then run the installed kscrape. Slow (the native
# build takes about 80 s on 2 cores), so it is `npm run test:pack`, not part of `npm test`.
# Ends with `N passed, N failed` like the other test commands.
set -uo pipefail
cd "$(dirname "$0")/.."

export CKJS_LINKING=dynamic
if [ -f /usr/include/node/node_api.h ] && [ -z "${npm_config_nodedir:-}" ]; then export npm_config_nodedir=/usr; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/kscrape-pack.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
check() { # check <what> <command...>: runs the command in the install folder, counts the result
  local what=$1; shift
  if (cd "$work/app" && "$@") >"$work/out" 2>&1; then
    passed=$((passed + 1)); echo "PASS $what"
  else
    failed=$((failed + 1)); echo "FAIL $what"; sed 's/^/    /' "$work/out" | tail -20
  fi
}

# `npm pack` runs `prepare` (the TypeScript build), so dist/ is fresh in the tarball.
tarball=$(npm pack --silent --pack-destination "$work" 2>"$work/pack.err" | tail -1)
if [ -z "$tarball" ] || [ ! -f "$work/$tarball" ]; then
  echo "FAIL npm pack"; cat "$work/pack.err"; echo "0 passed, 1 failed"; exit 1
fi
echo "packed $tarball ($(du -k "$work/$tarball" | cut -f1) KiB)"

mkdir "$work/app"
(cd "$work/app" && npm init -y >/dev/null)
started=$(date +%s)
check "npm install <tarball> in an empty folder (native client built: CKJS_LINKING=dynamic)" \
  npm install --no-audit --no-fund --loglevel=error "$work/$tarball"
echo "    install took $(( $(date +%s) - started )) s"

kscrape="$work/app/node_modules/.bin/kscrape"
check "kscrape --help lists the commands" sh -c "'$kscrape' --help | grep -q 'produce' && '$kscrape' --help | grep -q 'completion'"
check "kscrape --version is the package version" sh -c "[ \"\$('$kscrape' --version)\" = \"$(node -p 'require("./package.json").version')\" ]"
check "kscrape topics create --help shows its examples" sh -c "'$kscrape' topics create --help | grep -q '^Examples:'"
check "kscrape completion bash is valid bash" sh -c "'$kscrape' completion bash | bash -n"
check "kscrape config runs (no broker needed)" sh -c "'$kscrape' config --json -X linger.ms=7 | grep -q '\"linger.ms\":\"7\"'"
check "the Kafka client loads, with lz4 and ssl" node -e '
  const k = require("@confluentinc/kafka-javascript");
  const f = k.features.join(",");
  if (!/lz4/.test(f) || !/ssl/.test(f)) { console.error(k.librdkafkaVersion, f); process.exit(1); }'
check "no tests or TypeScript sources in the package" sh -c "! find node_modules/kscrape -path '*/test/*' -o -name '*.ts' ! -name '*.d.ts' | grep -q ."
check "the examples are shipped" test -f node_modules/kscrape/examples/kscrape-work.service

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
