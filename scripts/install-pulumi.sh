#!/usr/bin/env bash
# Puts a working Pulumi engine in the git-ignored .tools/pulumi/ folder:
#   pulumi                         the CLI, built from Go modules (no binary download is possible
#                                  here), cached in ${CHAINSMITH_CACHE:-$HOME/.cache/chainsmith}/
#                                  and reused across runs and checkouts;
#   pulumi-language-nodejs         our own Node.js language host (tools/language-host/, linked):
#                                  the Go module of the real one is refused by the module proxy;
#   pulumi-resource-pulumi-nodejs  the dynamic-provider plugin shipped in @pulumi/pulumi.
# The CLI finds plugins beside its own binary. Idempotent; prints nothing when all is in place.
set -euo pipefail
PULUMI_VERSION=v3.259.0 # keep equal to the @pulumi/pulumi version in package.json

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${CHAINSMITH_CACHE:-$HOME/.cache/chainsmith}/pulumi-$PULUMI_VERSION
dest=$root/.tools/pulumi
sdk=$root/node_modules/@pulumi/pulumi

if [ ! -f "$sdk/package.json" ]; then
  echo "install-pulumi: node_modules/@pulumi/pulumi is missing: run 'npm ci' first" >&2
  exit 1
fi
sdk_version=$(node -p "require('$sdk/package.json').version")
if [ "v$sdk_version" != "$PULUMI_VERSION" ]; then
  echo "install-pulumi: warning: @pulumi/pulumi is $sdk_version but the CLI is pinned to $PULUMI_VERSION" >&2
fi

# One build at a time per cache: concurrent set-ups (several checkouts) wait for the first.
mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9
if [ ! -x "$cache/pulumi" ]; then
  command -v go >/dev/null || { echo "install-pulumi: Go is needed to build the Pulumi CLI" >&2; exit 1; }
  echo "install-pulumi: building the Pulumi CLI $PULUMI_VERSION from Go modules (first run only, ~5 minutes on 2 cores)" >&2
  work=$(mktemp -d)
  built=$(mktemp -d "$cache.XXXXXX")
  trap 'rm -rf "$work" "$built"' EXIT
  cd "$work"
  cat > go.mod <<GOMOD
module local/pulumi-cli

go 1.25

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e

replace golang.org/x/text => golang.org/x/text v0.39.0
GOMOD
  go get github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$PULUMI_VERSION \
    github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION
  go build -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
    -o "$built/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  chmod 0755 "$built"
  rm -rf "$cache" && mv "$built" "$cache"
  cd "$root"
  echo "install-pulumi: cached $cache/pulumi" >&2
fi
flock -u 9

mkdir -p "$dest"
# Copy (not link) the CLI: the engine looks for plugins beside the binary it runs from.
if ! cmp -s "$cache/pulumi" "$dest/pulumi"; then
  cp -f "$cache/pulumi" "$dest/pulumi.tmp" && mv -f "$dest/pulumi.tmp" "$dest/pulumi"
fi
ln -sfn ../../tools/language-host/pulumi-language-nodejs "$dest/pulumi-language-nodejs"
if ! cmp -s "$sdk/pulumi-resource-pulumi-nodejs" "$dest/pulumi-resource-pulumi-nodejs"; then
  cp -f "$sdk/pulumi-resource-pulumi-nodejs" "$dest/pulumi-resource-pulumi-nodejs"
fi
chmod +x "$dest/pulumi-resource-pulumi-nodejs" "$root/tools/language-host/pulumi-language-nodejs"
