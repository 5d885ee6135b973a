#!/usr/bin/env bash
# make lint-systemd: systemd-analyze verify must pass and the offline security rating must be 2.0 or lower.
# The unit names /usr/local/bin/briefd (docs/deploy.md); verify needs an executable there, so a copy of the
# unit pointing at the binary just built is checked.
set -euo pipefail
binary="$(realpath "${1:-.build/debug/briefd}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sed "s|/usr/local/bin/briefd|$binary|" systemd/briefd.service > "$work/briefd.service"
output="$(systemd-analyze verify "$work/briefd.service" 2>&1 || true)"
if [ -n "$output" ]; then
    echo "$output"
    echo "lint-systemd: systemd-analyze verify reported problems"
    exit 1
fi
echo "ok   systemd-analyze verify systemd/briefd.service"
rating="$(systemd-analyze security --offline=yes "$work/briefd.service" | sed -n 's/.*Overall exposure level for briefd.service: \([0-9.]*\).*/\1/p')"
if awk "BEGIN { exit !($rating <= 2.0) }"; then
    echo "ok   systemd-analyze security: exposure $rating (goal <= 2.0)"
else
    echo "lint-systemd: exposure $rating is above 2.0"
    exit 1
fi
