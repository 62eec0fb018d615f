#!/usr/bin/env bash
# Schema check of deploy/k8s/*.yaml without kubectl or a cluster (check-manifests.mjs, with the npm packages
# kubernetes-models and js-yaml in a temporary folder); a deliberately broken copy must fail too.
# This checks the manifests' shape only: they have not been run on a cluster here.
set -euo pipefail
cd "$(dirname "$0")"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm install --no-audit --no-fund --silent kubernetes-models@5.1.0 js-yaml@4.1.0 >/dev/null)
cp check-manifests.mjs "$tmp/"

node "$tmp/check-manifests.mjs" coordinator.yaml worker.yaml

# The broken copy: a port written as a word.
sed 's/containerPort: 4053/containerPort: four-o-five-three/' worker.yaml >"$tmp/broken.yaml"
cmp -s worker.yaml "$tmp/broken.yaml" && { echo "check-manifests: FAILED: could not make the broken copy"; exit 1; }
if node "$tmp/check-manifests.mjs" "$tmp/broken.yaml" >"$tmp/broken.log"; then
    echo "check-manifests: FAILED: a broken copy of worker.yaml passed"
    exit 1
fi
echo "check-manifests: a broken copy is rejected, as it must be: $(grep FAILED "$tmp/broken.log" | sed 's/.*: FAILED //')"
