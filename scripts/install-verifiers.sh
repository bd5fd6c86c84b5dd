#!/usr/bin/env bash
# The real verifiers and peer tools chainsmith's verdicts, path validation and speed are
# measured against, built into ${CHAINSMITH_CACHE:-$HOME/.cache/chainsmith} and linked into the
# git-ignored .tools/verifiers/:
#   Debian packages   gnutls-bin (certtool, gnutls-cli), libnss3-tools (vfychain, certutil);
#                     openssl, Python and Node are there already;
#   from tools/verifiers/, rebuilt when their sources change:
#     x509-verify        Go crypto/x509 (standard library only)
#     webpki-verdicts    rustls-webpki, from the crate registry (Cargo.lock pinned)
#     java/              a Java 17 TLS client (TlsVerdicts), compiled with javac
#   from the Go module proxy:
#     bettertls          Netflix BetterTLS's test-case exporter (its pathbuilding suite)
#     cfssl              cfssl bundle, the peer of bench/cli.ts (v1.6.5: v1.7 needs a newer Go)
# Idempotent; prints nothing when all is in place.
set -euo pipefail
BETTERTLS_VERSION=v0.0.0-20250909192348-e1e99e353074
CFSSL_VERSION=v1.6.5

root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/tools/verifiers
cache=${CHAINSMITH_CACHE:-$HOME/.cache/chainsmith}/verifiers
dest=$root/.tools/verifiers

need_apt=()
command -v certtool >/dev/null 2>&1 || need_apt+=(gnutls-bin)
command -v vfychain >/dev/null 2>&1 || need_apt+=(libnss3-tools)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-verifiers: installing Debian packages: ${need_apt[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo -n"
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null 2>&1 || {
    $sudo_cmd apt-get update -qq
    $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  }
fi
for tool in go cargo javac; do
  command -v "$tool" >/dev/null || { echo "install-verifiers: $tool is needed to build the verifiers" >&2; exit 1; }
done

mkdir -p "$cache" "$dest"
# One build at a time per cache: concurrent set-ups (several checkouts) wait for the first.
exec 9>"$cache.lock"
flock 9

# Runs "$@" (a build) unless the sources of $2 hash to the stamp of the last build of $1.
build_if_changed() {
  local name=$1 dir=$2; shift 2
  local stamp=$cache/$name.sources-sha256 sum
  sum=$( (go version; cd "$dir" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name '*.rs' -o -name 'Cargo.*' -o -name '*.java' \) -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    echo "install-verifiers: building $name" >&2
    (cd "$dir" && "$@")
    echo "$sum" > "$stamp"
  fi
  ln -sfn "$cache/$name" "$dest/$name"
}

# go install PACKAGE@VERSION into the cache (once), then link BINARY into .tools/verifiers.
install_module() {
  local dir=$cache/$1 package=$2 binary=$3
  if [ ! -x "$dir/$binary" ]; then
    echo "install-verifiers: building $package (first run only)" >&2
    local built
    built=$(mktemp -d "$dir.XXXXXX")
    GOBIN=$built GOFLAGS=-buildvcs=false go install "$package" >&2
    chmod 0755 "$built"
    rm -rf "$dir" && mv "$built" "$dir"
  fi
  ln -sfn "$dir/$binary" "$dest/$binary"
}

build_if_changed x509-verify "$src/x509-verify" env GOFLAGS=-buildvcs=false go build -o "$cache/x509-verify" .
# The first build fetches rustls-webpki and ring from the crate registry and compiles them (~1 minute).
build_if_changed webpki-verdicts "$src/webpki" sh -c \
  "CARGO_TARGET_DIR='$cache/webpki-target' cargo build --release --locked --quiet && cp '$cache/webpki-target/release/chainsmith-webpki-verdicts' '$cache/webpki-verdicts'"
build_if_changed java "$src/java" sh -c "rm -rf '$cache/java' && javac -d '$cache/java' TlsVerdicts.java"
install_module "bettertls-$BETTERTLS_VERSION" "github.com/Netflix/bettertls/test-suites/cmd/bettertls@$BETTERTLS_VERSION" bettertls
install_module "cfssl-$CFSSL_VERSION" "github.com/cloudflare/cfssl/cmd/cfssl@$CFSSL_VERSION" cfssl
flock -u 9
