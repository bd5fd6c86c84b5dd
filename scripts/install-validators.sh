#!/usr/bin/env bash
# The validators chainsmith's path validation is compared with, built from Go modules into
# ${CHAINSMITH_CACHE:-$HOME/.cache/chainsmith} and linked into the git-ignored .tools/:
#   x509-verify   Go's crypto/x509 as a peer (tools/x509-verify/, standard library only),
#                 rebuilt when its source or the Go version changes;
#   bettertls     Netflix BetterTLS's test-case exporter (its pathbuilding suite);
#   cfssl         cfssl bundle, the peer of bench/cli.ts (v1.6.5: v1.7 needs a newer Go).
# Idempotent; prints nothing when all is in place.
set -euo pipefail
BETTERTLS_VERSION=v0.0.0-20250909192348-e1e99e353074
CFSSL_VERSION=v1.6.5

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${CHAINSMITH_CACHE:-$HOME/.cache/chainsmith}
dest=$root/.tools/validators
command -v go >/dev/null || { echo "install-validators: Go is needed to build the peer validators" >&2; exit 1; }
mkdir -p "$cache" "$dest"

# One build at a time per cache: concurrent set-ups (several checkouts) wait for the first.
exec 9>"$cache/validators.lock"
flock 9

# go install PACKAGE@VERSION into DIR (cached), then link BINARY into .tools/validators.
install_module() {
  local dir=$1 package=$2 binary=$3
  if [ ! -x "$dir/$binary" ]; then
    echo "install-validators: building $package (first run only)" >&2
    local built
    built=$(mktemp -d "$dir.XXXXXX")
    GOBIN=$built GOFLAGS=-buildvcs=false go install "$package" >&2
    chmod 0755 "$built"
    rm -rf "$dir" && mv "$built" "$dir"
  fi
  ln -sfn "$dir/$binary" "$dest/$binary"
}

hash=$( (go version; cat "$root/tools/x509-verify/go.mod" "$root/tools/x509-verify/main.go") | sha256sum | cut -c1-16)
verify=$cache/x509-verify-$hash
if [ ! -x "$verify/x509-verify" ]; then
  built=$(mktemp -d "$verify.XXXXXX")
  (cd "$root/tools/x509-verify" && GOFLAGS=-buildvcs=false go build -o "$built/x509-verify" .)
  chmod 0755 "$built"
  rm -rf "$verify" && mv "$built" "$verify"
fi
ln -sfn "$verify/x509-verify" "$dest/x509-verify"

install_module "$cache/bettertls-$BETTERTLS_VERSION" "github.com/Netflix/bettertls/test-suites/cmd/bettertls@$BETTERTLS_VERSION" bettertls
install_module "$cache/cfssl-$CFSSL_VERSION" "github.com/cloudflare/cfssl/cmd/cfssl@$CFSSL_VERSION" cfssl
flock -u 9
