#!/usr/bin/env bash
# Puts Pulumi's YAML language host (pulumi-language-yaml, from the pulumi-yaml Go module, which the
# module proxy reachable here serves) beside the Pulumi CLI in .tools/pulumi/, so that YAML
# programs run (test/e2e/remote-yaml.test.ts). Built into
# ${CHAINSMITH_CACHE:-$HOME/.cache/chainsmith}/pulumi-yaml-<version>/. Idempotent; prints nothing
# when all is in place.
set -euo pipefail
PULUMI_YAML_VERSION=v1.25.0

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${CHAINSMITH_CACHE:-$HOME/.cache/chainsmith}/pulumi-yaml-$PULUMI_YAML_VERSION
dest=$root/.tools/pulumi

mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9
if [ ! -x "$cache/pulumi-language-yaml" ]; then
  command -v go >/dev/null || { echo "install-yaml-host: Go is needed to build the YAML language host" >&2; exit 1; }
  echo "install-yaml-host: building pulumi-language-yaml $PULUMI_YAML_VERSION from Go modules (first run only, a few minutes)" >&2
  work=$(mktemp -d)
  built=$(mktemp -d "$cache.XXXXXX")
  trap 'rm -rf "$work" "$built"' EXIT
  cd "$work"
  printf 'module local/pulumi-yaml-host\n\ngo 1.25\n' > go.mod
  go get "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$PULUMI_YAML_VERSION" >/dev/null 2>&1 ||
    go get "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$PULUMI_YAML_VERSION"
  go build -o "$built/pulumi-language-yaml" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
  chmod 0755 "$built"
  rm -rf "$cache" && mv "$built" "$cache"
  cd "$root"
  echo "install-yaml-host: cached $cache/pulumi-language-yaml" >&2
fi
flock -u 9

mkdir -p "$dest"
# The CLI looks for language hosts beside its own binary.
ln -sfn "$cache/pulumi-language-yaml" "$dest/pulumi-language-yaml"
