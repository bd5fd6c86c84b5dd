#!/usr/bin/env bash
# `npm run demo` (after scripts/setup.sh): examples/local-demo end to end, offline. The
# steps are in scripts/demo.ts, which runs the Pulumi CLI through harness/pulumi.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx --no-install vite-node scripts/demo.ts
