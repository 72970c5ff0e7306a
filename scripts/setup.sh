#!/usr/bin/env bash
# Installs everything kscrape's demo and tests need on a Debian machine, then builds. Safe to run again:
# it installs only what is missing. Used by scripts/demo.sh, scripts/test.sh and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }

# System packages: build deps for librdkafka (the Kafka client is built from source when its prebuilt
# binary cannot be downloaded), a JDK and Maven for Apache Kafka's jars, Redis, and kcat for benchmarks.
# (PostgreSQL is handled below: only when none answers.)
packages=(build-essential python3 zlib1g-dev libssl-dev libzstd-dev liblz4-dev libsasl2-dev libcurl4-openssl-dev
  openjdk-17-jdk-headless maven redis-server redis-tools kcat)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# A JDK or Maven installed some other way is fine too.
if command -v java >/dev/null && java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])'; then
  missing=("${missing[@]/openjdk-17-jdk-headless}")
fi
command -v mvn >/dev/null && missing=("${missing[@]/maven}")
read -r -a missing <<<"${missing[*]}"
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# PostgreSQL for `kscrape sink postgres` and its tests, as Redis is for the limiter: installed and started only
# when nothing answers on 127.0.0.1:5432. A cluster installed here trusts the postgres user on loopback (the
# tests' KSCRAPE_TEST_PG_DSN, postgres://postgres@127.0.0.1:5432/postgres); an existing one is left as it is.
pg_answers() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if ! pg_answers; then
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  if ! dpkg-query -W -f='${Status}' postgresql 2>/dev/null | grep -q 'install ok installed'; then
    say "installing PostgreSQL (nothing answers on 127.0.0.1:5432)"
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends postgresql postgresql-client >/dev/null
    hba=$(ls /etc/postgresql/*/main/pg_hba.conf 2>/dev/null | head -1)
    [ -n "$hba" ] && "${sudo_cmd[@]}" sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
  fi
  say "starting PostgreSQL"
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  "${sudo_cmd[@]}" pg_ctlcluster "$version" main start 2>/dev/null || "${sudo_cmd[@]}" service postgresql start
  for _ in $(seq 60); do pg_answers && break; sleep 0.5; done
  pg_answers || { say "PostgreSQL did not answer on 127.0.0.1:5432 within 30 s"; exit 1; }
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  say "Node.js 20 or newer is required (found $(node --version 2>/dev/null || echo none))"; exit 1
fi

# The client's install script falls back to building librdkafka; dynamic linking uses the -dev packages above
# instead of downloading OpenSSL/zlib/zstd/curl sources. Node's headers come from the system when present.
export CKJS_LINKING=dynamic
if [ -f /usr/include/node/node_api.h ] && [ -z "${npm_config_nodedir:-}" ]; then export npm_config_nodedir=/usr; fi
stamp=node_modules/.kscrape-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || ! node -e 'require("@confluentinc/kafka-javascript")' 2>/dev/null; then
  say "installing npm packages (the Kafka client's native part builds from source: about 2 minutes)"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

npm run -s build
say "ready"
