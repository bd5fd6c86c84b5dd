#!/usr/bin/env bash
# The real path validators the verifier-agreement test asks (test/integration/verifiers/):
#   Debian packages   gnutls-bin (certtool), libnss3-tools (vfychain, certutil); openssl,
#                     Python and Node are there already;
#   built into ${CHAINSMITH_CACHE:-$HOME/.cache/chainsmith}/verifiers/ from tools/verifiers/:
#     go-x509-verdicts       Go crypto/x509 (standard library only)
#     webpki-verdicts        rustls-webpki, from the crate registry (Cargo.lock pinned)
#     java/TlsVerdicts.class a Java 17 TLS client, compiled with javac
# Each program is rebuilt when its sources change (a hash beside it). Idempotent; prints
# nothing when all is in place.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/tools/verifiers
cache=${CHAINSMITH_CACHE:-$HOME/.cache/chainsmith}/verifiers

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

mkdir -p "$cache"
exec 9>"$cache.lock"
flock 9

# Runs "$@" (a build) unless $1's sources hash to the stamp of the last build.
build_if_changed() {
  local name=$1 dir=$2; shift 2
  local stamp=$cache/$name.sources-sha256 sum
  sum=$(cd "$dir" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name '*.rs' -o -name 'Cargo.*' -o -name '*.java' \) -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then return 0; fi
  echo "install-verifiers: building $name" >&2
  (cd "$dir" && "$@")
  echo "$sum" > "$stamp"
}

build_if_changed go-x509-verdicts "$src/go" go build -o "$cache/go-x509-verdicts" .
# The first build fetches rustls-webpki and ring from the crate registry and compiles them (~1 minute).
build_if_changed webpki-verdicts "$src/webpki" sh -c \
  "CARGO_TARGET_DIR='$cache/webpki-target' cargo build --release --locked --quiet && cp '$cache/webpki-target/release/chainsmith-webpki-verdicts' '$cache/webpki-verdicts'"
build_if_changed java-tls-verdicts "$src/java" sh -c "rm -rf '$cache/java' && javac -d '$cache/java' TlsVerdicts.java"
