#!/usr/bin/env bash
# Puts Shopify's toxiproxy server (a TCP proxy that injects latency and jitter, driven over its
# HTTP API) in the git-ignored .tools/toxiproxy/ folder, for the WAN benchmarks (bench/wan/).
# Built from Go modules (no binary download is possible here), cached in
# ${CHAINSMITH_CACHE:-$HOME/.cache/chainsmith}/ and reused across runs and checkouts. Only
# `npm run bench` needs it; tests do not. Idempotent; prints nothing when all is in place.
set -euo pipefail
TOXIPROXY_VERSION=v2.5.0

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${CHAINSMITH_CACHE:-$HOME/.cache/chainsmith}/toxiproxy-$TOXIPROXY_VERSION
dest=$root/.tools/toxiproxy

# One build at a time per cache: concurrent set-ups (several checkouts) wait for the first.
mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9
if [ ! -x "$cache/toxiproxy-server" ]; then
  command -v go >/dev/null || { echo "install-toxiproxy: Go is needed to build toxiproxy" >&2; exit 1; }
  echo "install-toxiproxy: building toxiproxy $TOXIPROXY_VERSION from Go modules (first run only, ~1 minute)" >&2
  work=$(mktemp -d)
  built=$(mktemp -d "$cache.XXXXXX")
  trap 'rm -rf "$work" "$built"' EXIT
  cd "$work"
  go mod init local/toxiproxy-build 2>/dev/null
  go get github.com/Shopify/toxiproxy/v2@$TOXIPROXY_VERSION 2>"$work/go-get.log" || { cat "$work/go-get.log" >&2; exit 1; }
  go build -ldflags "-X github.com/Shopify/toxiproxy/v2.Version=$TOXIPROXY_VERSION" \
    -o "$built/toxiproxy-server" github.com/Shopify/toxiproxy/v2/cmd/server
  chmod 0755 "$built"
  rm -rf "$cache" && mv "$built" "$cache"
  cd "$root"
  echo "install-toxiproxy: cached $cache/toxiproxy-server" >&2
fi
flock -u 9

mkdir -p "$dest"
if ! cmp -s "$cache/toxiproxy-server" "$dest/toxiproxy-server"; then
  cp -f "$cache/toxiproxy-server" "$dest/toxiproxy-server.tmp" && mv -f "$dest/toxiproxy-server.tmp" "$dest/toxiproxy-server"
fi
