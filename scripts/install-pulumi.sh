#!/usr/bin/env bash
# Builds the Pulumi CLI and the Node.js language host from Go modules (no binary download
# is possible here), caches them outside the work tree, and places them with the
# dynamic-provider plugin in the git-ignored .tools/pulumi/ folder.
set -euo pipefail
PULUMI_VERSION=v3.259.0
# pulumi-language-nodejs has no tags of its own: the commit of tag v3.259.0.
LANGUAGE_HOST_COMMIT=0ac56e876614aedf12771d73ef7e80959b8a6fd4

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${CHAINSMITH_CACHE:-$HOME/.cache/chainsmith}/pulumi-$PULUMI_VERSION
dest=$root/.tools/pulumi

if [ ! -x "$cache/pulumi" ] || [ ! -x "$cache/pulumi-language-nodejs" ]; then
  echo "building the Pulumi CLI $PULUMI_VERSION from Go modules (first run only, several minutes)" >&2
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cd "$work"
  cat > go.mod <<GOMOD
module local/pulumi-cli

go 1.25

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e

replace golang.org/x/text => golang.org/x/text v0.39.0
GOMOD
  go get github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$PULUMI_VERSION \
    github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION \
    github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@$LANGUAGE_HOST_COMMIT
  ldflags="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
  mkdir -p "$cache.tmp"
  go build -ldflags "$ldflags" -o "$cache.tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  go build -ldflags "$ldflags" -o "$cache.tmp/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
  rm -rf "$cache" && mv "$cache.tmp" "$cache"
fi

mkdir -p "$dest"
cp -f "$cache/pulumi" "$cache/pulumi-language-nodejs" "$dest/"
# The engine looks for plugins beside the real pulumi binary.
plugin=$root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs
if [ -f "$plugin" ]; then
  cp -f "$plugin" "$dest/"
  chmod +x "$dest/pulumi-resource-pulumi-nodejs"
fi
"$dest/pulumi" version
