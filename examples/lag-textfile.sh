#!/bin/sh
# Consumer lag for Prometheus without a lag exporter: turns `kscrape lag --json` into node_exporter's textfile
# format. Run it every minute from cron next to a node_exporter started with
# --collector.textfile.directory=/var/lib/node_exporter/textfile:
#
#   * * * * *  kscrape  set -a; . /etc/kscrape/kscrape.env; set +a; /usr/local/bin/kscrape-lag-textfile.sh scrapers
#
# Metrics: kscrape_consumergroup_lag{group,topic} (messages), kscrape_consumergroup_lag_seconds{group} (age of the
# oldest unconsumed record), kscrape_consumergroup_lag_status{group} (0 OK, 1 WARN, 2 CRITICAL, 3 UNKNOWN).
# A group whose lag cannot be read gets status 3 and no lag series: never a made-up 0.
set -u
group=${1:-scrapers}
dir=${TEXTFILE_DIR:-/var/lib/node_exporter/textfile}
tmp=$(mktemp "$dir/.kscrape-lag.XXXXXX") || exit 1
kscrape lag --group "$group" --json --timeout 20s > "$tmp.json"
code=$?
{
  echo '# HELP kscrape_consumergroup_lag_status kscrape lag exit status: 0 OK, 1 WARN, 2 CRITICAL, 3 UNKNOWN'
  echo '# TYPE kscrape_consumergroup_lag_status gauge'
  echo "kscrape_consumergroup_lag_status{group=\"$group\"} $code"
  if [ "$code" -ne 3 ]; then
    echo '# TYPE kscrape_consumergroup_lag gauge'
    jq -r '.groups[] | .group as $g | .topics[] | select(.lag != null)
      | "kscrape_consumergroup_lag{group=\"\($g)\",topic=\"\(.topic)\"} \(.lag)"' "$tmp.json"
    echo '# TYPE kscrape_consumergroup_lag_seconds gauge'
    jq -r '.groups[] | select(.max_lag_ms != null)
      | "kscrape_consumergroup_lag_seconds{group=\"\(.group)\"} \(.max_lag_ms / 1000)"' "$tmp.json"
  fi
} > "$tmp"
rm -f "$tmp.json"
# mktemp made it 0600: node_exporter usually runs as another user and must be able to read it.
chmod 0644 "$tmp"
# Rename into place so node_exporter never reads a half-written file.
mv "$tmp" "$dir/kscrape-lag-$group.prom"
