#!/usr/bin/env bash
# Validates docker-compose.yml with Debian's docker-compose (v1, 1.29): `docker-compose config -q` must pass on
# it and fail on a deliberately broken copy, so that the check itself is shown able to fail.
# Installs docker-compose from Debian if it is missing (no docker daemon is needed or started).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'check-compose: %s\n' "$*"; }

if ! command -v docker-compose >/dev/null; then
    say "installing docker-compose from Debian"
    apt-get update -qq
    # Without recommends: docker.io (and its daemon) is not needed to validate a file.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! docker-compose -f docker-compose.yml config -q 2>"$tmp/valid.err"; then
    say "FAILED: docker-compose.yml is invalid:"
    cat "$tmp/valid.err"
    exit 1
fi
say "docker-compose.yml is valid ($(docker-compose version --short))"

# The broken copy: the nodes' restart policy under a misspelt key, which the schema rejects.
sed 's/^  restart: unless-stopped$/  restart_policy: unless-stopped/' docker-compose.yml >"$tmp/broken.yml"
if cmp -s docker-compose.yml "$tmp/broken.yml"; then
    say "FAILED: could not make the broken copy (docker-compose.yml has no '  restart: unless-stopped' line)"
    exit 1
fi
if docker-compose --project-directory "$PWD" -f "$tmp/broken.yml" config -q 2>"$tmp/broken.err"; then
    say "FAILED: a broken copy of docker-compose.yml passed 'docker-compose config -q'"
    exit 1
fi
say "a broken copy is rejected, as it must be: $(grep -v '^$' "$tmp/broken.err" | tail -n +2 | tr '\n' ' ')"
