#!/usr/bin/env bash
# Fetches libchdb.so (chDB, ClickHouse as a library) from the npm package
# @chdb/lib-linux-x64-gnu into the cache, verifying the tarball's checksum.
# Usage: scripts/fetch-chdb.sh VERSION SHA1 DEST_DIR
set -euo pipefail
version=$1 sha1=$2 dest=$3
if [ -s "$dest/libchdb.so" ]; then exit 0; fi
command -v npm >/dev/null || { echo "npm is needed to fetch chDB (apt install npm)" >&2; exit 1; }
mkdir -p "$dest"
work=$(mktemp -d "$dest/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "fetching @chdb/lib-linux-x64-gnu@$version (about 170 MB) into $dest" >&2
(cd "$work" && npm pack --silent "@chdb/lib-linux-x64-gnu@$version" >/dev/null)
tgz=$(ls "$work"/*.tgz)
got=$(sha1sum "$tgz" | cut -d' ' -f1)
if [ "$got" != "$sha1" ]; then
  echo "checksum mismatch for $tgz: got $got, want $sha1" >&2
  exit 1
fi
tar -xzf "$tgz" -C "$work" package/libchdb.so
mv "$work/package/libchdb.so" "$dest/libchdb.so.part"
mv "$dest/libchdb.so.part" "$dest/libchdb.so"
echo "libchdb.so $version ready at $dest/libchdb.so" >&2
