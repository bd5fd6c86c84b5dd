#!/usr/bin/env bash
# Puts the codegen-only language plugins (tools/codegen-host/) in the git-ignored .tools/codegen/
# folder, named pulumi-language-nodejs, -python, -go and -dotnet: `pulumi package gen-sdk` (npm run
# gen-sdk) runs with that folder first on PATH. Built from Go modules into
# ${CHAINSMITH_CACHE:-$HOME/.cache/chainsmith}/codegen-host-<hash of the sources>/, two builds: one
# on the Pulumi version chainsmith runs on, one on an older Pulumi (v3.190.0) whose pkg still holds the .NET
# generator. Idempotent; prints nothing when all is in place.
set -euo pipefail
PULUMI_VERSION=v3.259.0 # keep equal to scripts/install-pulumi.sh
DOTNET_CODEGEN_VERSION=v3.190.0

root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/tools/codegen-host
hash=$(cat "$0" "$src"/*.go | sha256sum | cut -c1-16)
cache=${CHAINSMITH_CACHE:-$HOME/.cache/chainsmith}/codegen-host-$hash
dest=$root/.tools/codegen

mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9
if [ ! -x "$cache/codegen-host" ] || [ ! -x "$cache/codegen-host-dotnet" ]; then
  command -v go >/dev/null || { echo "install-codegen-host: Go is needed to build the codegen host" >&2; exit 1; }
  echo "install-codegen-host: building the codegen host from Go modules (first run only, a few minutes)" >&2
  built=$(mktemp -d "$cache.XXXXXX")
  work=$(mktemp -d)
  trap 'rm -rf "$work" "$built"' EXIT
  # build OUTPUT PULUMI_VERSION [TAGS]
  build() {
    rm -rf "$work/m" && mkdir "$work/m" && cp "$src"/*.go "$work/m/"
    (
      cd "$work/m"
      printf 'module local/codegen-host\n\ngo 1.25\n\nreplace golang.org/x/text => golang.org/x/text v0.39.0\n' > go.mod
      go get "github.com/pulumi/pulumi/pkg/v3@$2" "github.com/pulumi/pulumi/sdk/v3@$2" >/dev/null 2>&1 ||
        go get "github.com/pulumi/pulumi/pkg/v3@$2" "github.com/pulumi/pulumi/sdk/v3@$2"
      go mod tidy -e >/dev/null 2>&1 || true
      go build -tags "${3:-}" -o "$built/$1" .
    )
  }
  build codegen-host "$PULUMI_VERSION"
  build codegen-host-dotnet "$DOTNET_CODEGEN_VERSION" dotnet
  chmod 0755 "$built"
  rm -rf "$cache" && mv "$built" "$cache"
  echo "install-codegen-host: cached $cache" >&2
fi
flock -u 9

mkdir -p "$dest"
for language in nodejs python go; do ln -sfn "$cache/codegen-host" "$dest/pulumi-language-$language"; done
ln -sfn "$cache/codegen-host-dotnet" "$dest/pulumi-language-dotnet"
