#!/usr/bin/env bash
# What the checks of the generated Python and Go SDKs need (test/integration/sdk/): a Python venv
# with the Pulumi SDK, mypy and setuptools in ${CHAINSMITH_CACHE:-$HOME/.cache/chainsmith}/ (linked as
# .tools/sdk-python), and
# the Go modules of test/fixtures/sdk-go (the Pulumi Go SDK) in Go's module cache, compiled once
# into Go's build cache. The tests then run offline. Idempotent; prints nothing when all is in place.
set -euo pipefail
PULUMI_PY_VERSION=3.259.0 # the Pulumi version chainsmith runs on (scripts/install-pulumi.sh)
MYPY_VERSION=1.18.2
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${CHAINSMITH_CACHE:-$HOME/.cache/chainsmith}/sdk-python-$PULUMI_PY_VERSION-mypy-$MYPY_VERSION

mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if [ ! -f "$venv/.complete" ]; then
  echo "install-sdk-checks: a Python venv with pulumi $PULUMI_PY_VERSION and mypy $MYPY_VERSION" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pulumi==$PULUMI_PY_VERSION" "mypy==$MYPY_VERSION" setuptools wheel parver semver
  touch "$venv/.complete"
fi
flock -u 9
mkdir -p "$root/.tools"
ln -sfn "$venv" "$root/.tools/sdk-python"

command -v go >/dev/null || { echo "install-sdk-checks: Go is needed to check the Go SDK" >&2; exit 1; }
cd "$root/test/fixtures/sdk-go"
if ! GOFLAGS=-mod=readonly GOPROXY=off go list -deps ./... >/dev/null 2>&1; then
  echo "install-sdk-checks: downloading the Go modules of the Go SDK check" >&2
  go mod download
fi
go build -o /dev/null ./...
