#!/usr/bin/env bash
# Generates the chainsmith SDKs for Node.js, Python, Go and .NET with `pulumi package gen-sdk`
# from the provider plugin (bin/pulumi-resource-chainsmith serves the schema), into sdk/ or the
# folder given. `npm run gen-sdk` compiles first; the SDKs are never edited by hand
# (test/integration/sdk/generated.test.ts fails when sdk/ differs from a fresh generation).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/sdk}
bash "$root/scripts/install-pulumi.sh" >/dev/null
bash "$root/scripts/install-codegen-host.sh"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
# The codegen host (.tools/codegen) answers for each language: the CLI takes plugins from PATH first.
export PATH="$root/.tools/codegen:$root/.tools/pulumi:$PATH" PULUMI_HOME="$home" PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
for language in nodejs python go dotnet; do
  if ! log=$(pulumi package gen-sdk "$root/bin/pulumi-resource-chainsmith" --language "$language" --out "$out" --non-interactive --color=never 2>&1); then
    echo "gen-sdk: generating the $language SDK failed:" >&2
    echo "$log" >&2
    exit 1
  fi
done
