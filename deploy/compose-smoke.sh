#!/usr/bin/env bash
# Runs docker-compose.yml for real on this machine, with no registry to pull from:
#   1. installs docker.io, docker-compose and debootstrap from Debian (if missing);
#   2. starts a private dockerd with no bridge, no firewall rules and no forwarding (its defaults would rewrite the
#      host's firewall), its data, exec root, pid file and socket in a temporary folder;
#   3. debootstraps a minimal Debian root with what a self-contained .NET app needs and imports it as the base image;
#   4. publishes backprop-server self-contained (meanwhile, with the job client) and builds the app image through
#      deploy/Dockerfile's runtime stage (APP_SOURCE=prebuilt, RUNTIME_IMAGE=the base);
#   5. docker-compose up with deploy/compose-smoke.override.yml (host network, every node on loopback) and
#      --scale worker=SMOKE_WORKERS: the one-shot certs service fills the certificates volume, then the nodes join
#      over mutual TLS; waits for the coordinator's health check;
#   6. submits a job over gRPC from the host and waits for it to succeed;
#   7. submits a longer job, crashes the coordinator mid-job (kill -9 of its container's main process from the host,
#      which docker's restart policy treats as a crash, unlike docker kill or docker stop), and checks that the
#      restarted coordinator finishes it with the weights of `backprop train` in one process;
#   8. tears everything down (containers, volume, images, daemon, temporary folder), also when a step fails.
#
# Usage (root, Debian): bash deploy/compose-smoke.sh
# Environment: SMOKE_WORKERS (default 2), DEBIAN_MIRROR (default: this machine's apt source).
# The last line says PASSED or FAILED and how long it took; the exit code is 0 only when it passed.
# Every address it uses is on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
phase_started=$SECONDS
workers=${SMOKE_WORKERS:-2}
docker=/usr/bin/docker # Debian's client, matching its daemon (another docker on PATH may be newer)
tmp=$(mktemp -d /tmp/backprop-compose-smoke.XXXXXX)
project=backprop-smoke-$$
base_image=backprop-smoke-base:$$
app_image=backprop-server:smoke-$$
dockerd_pid=""
builds_pid=""
policy_added=""
summary=""

say() { printf 'compose-smoke: %s\n' "$*"; }
fail() {
    say "error: $*"
    exit 1
}
phase() {
    say "$1 ($((SECONDS - phase_started)) s)"
    phase_started=$SECONDS
}
# docker-compose.yml with the override, merged by docker-compose itself (written in step 5).
compose() { docker-compose -p "$project" --project-directory "$PWD" -f "$tmp/compose.yml" "$@"; }

cleanup() {
    local status=$?
    set +e
    if [ -n "$policy_added" ]; then rm -f /usr/sbin/policy-rc.d; fi
    if [ -n "$builds_pid" ]; then
        pkill -TERM -P "$builds_pid" 2>/dev/null # the running dotnet command, a child of the builds' subshell
        kill -TERM "$builds_pid" 2>/dev/null
        wait "$builds_pid" 2>/dev/null
    fi
    if [ -n "$dockerd_pid" ]; then
        if [ "$status" -ne 0 ] && [ -f "$tmp/compose.yml" ]; then
            say "logs of the cluster:"
            compose logs --no-color --tail=40 2>&1 | sed 's/^/  /'
        fi
        if [ -f "$tmp/compose.yml" ]; then
            compose down --volumes --rmi all --timeout 30 >"$tmp/down.log" 2>&1 || cat "$tmp/down.log"
        fi
        "$docker" rmi --force "$app_image" "$base_image" >/dev/null 2>&1
        kill -TERM "$dockerd_pid" 2>/dev/null
        for _ in $(seq 1 60); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.5; done
        kill -KILL "$dockerd_pid" 2>/dev/null
        if [ "$status" -ne 0 ] && [ -f "$tmp/dockerd.log" ]; then
            say "last lines of dockerd's log:"
            tail -n 15 "$tmp/dockerd.log" | sed 's/^/  /'
        fi
    fi
    # Mounts the daemon or debootstrap may have left under the folder, deepest first.
    awk -v root="$tmp" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r -n1 umount -l
    rm -rf "$tmp"
    # The folder containerd's shims put their sockets in, if they left it empty.
    rmdir /run/containerd/s /run/containerd 2>/dev/null
    if [ "$status" -eq 0 ]; then
        say "PASSED in $((SECONDS - started)) s: $summary"
    else
        say "FAILED in $((SECONDS - started)) s (exit $status)"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. tools ---------------------------------------------------------------------------------------------------
missing=()
[ -x /usr/sbin/dockerd ] && [ -x "$docker" ] || missing+=(docker.io)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} from Debian"
    # The packages' scripts must not start Debian's docker service: its default flags rewrite the host firewall.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        policy_added=1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$tmp/apt.log" 2>&1 \
        || { cat "$tmp/apt.log"; fail "apt-get install ${missing[*]} failed"; }
fi
phase "tools ready: $(docker-compose version --short 2>/dev/null | head -1) / $("$docker" --version)"

# --- 2. a private docker daemon: no bridge, no iptables, no forwarding, everything under $tmp --------------------
mkdir -p "$tmp/data" "$tmp/exec"
echo '{}' >"$tmp/daemon.json" # none of /etc/docker/daemon.json
/usr/sbin/dockerd --config-file "$tmp/daemon.json" \
    --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
    --data-root "$tmp/data" --exec-root "$tmp/exec" --pidfile "$tmp/dockerd.pid" \
    -H "unix://$tmp/docker.sock" >"$tmp/dockerd.log" 2>&1 &
dockerd_pid=$!
export DOCKER_HOST="unix://$tmp/docker.sock"
for _ in $(seq 1 60); do
    "$docker" version >/dev/null 2>&1 && break
    kill -0 "$dockerd_pid" 2>/dev/null || fail "dockerd exited; see its log above"
    sleep 0.5
done
"$docker" version >/dev/null 2>&1 || fail "dockerd did not answer on $DOCKER_HOST within 30 s"
phase "dockerd $("$docker" version --format '{{.Server.Version}}') up, storage $("$docker" info --format '{{.Driver}}')"

# --- builds: the server's self-contained publish and the job client, meanwhile (debootstrap mostly waits on the
# network, the builds on the CPU) ---------------------------------------------------------------------------------
case "$(uname -m)" in
    x86_64) rid=linux-x64 ;;
    aarch64) rid=linux-arm64 ;;
    *) fail "no .NET runtime identifier for $(uname -m)" ;;
esac
# The job client is `backprop submit`. The server and the CLI build in artifacts folders of their own, leaving the
# repository's bin/ and obj/ as they are.
client="backprop submit"
build_client=(dotnet build src/Backprop.Cli/Backprop.Cli.csproj -c Release --artifacts-path "$tmp/cli")
(
    dotnet publish src/Backprop.Server/Backprop.Server.csproj -c Release -r "$rid" --self-contained \
        --artifacts-path "$tmp/artifacts" -o "$tmp/context/publish" -nologo -v quiet || exit 1
    "${build_client[@]}" -nologo -v quiet || exit 2
) >"$tmp/builds.log" 2>&1 &
builds_pid=$!

# --- 3. base image: a minimal Debian with what self-contained .NET needs -------------------------------------------
# glibc, libstdc++ and zlib come with minbase; ca-certificates brings openssl's libssl. The app is built with
# invariant globalization, so no libicu.
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
mirror=${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)}
mirror=${mirror:-http://deb.debian.org/debian}
debootstrap --variant=minbase --include=ca-certificates "$suite" "$tmp/rootfs" "$mirror" >"$tmp/debootstrap.log" 2>&1 \
    || { tail -n 20 "$tmp/debootstrap.log"; fail "debootstrap $suite from $mirror failed"; }
rm -rf "$tmp/rootfs"/usr/share/{doc,man,info,locale} "$tmp/rootfs"/var/cache/apt/* "$tmp/rootfs"/var/lib/apt/lists/*
tar -C "$tmp/rootfs" -c . | "$docker" import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$base_image" >/dev/null
rm -rf "$tmp/rootfs"
phase "base image $base_image: debootstrap --variant=minbase $suite, $("$docker" image inspect --format '{{.Size}}' "$base_image" | awk '{printf "%.0f MB", $1 / 1e6}')"

# --- 4. app image through the Dockerfile's runtime stage -----------------------------------------------------------
builds_status=0
wait "$builds_pid" || builds_status=$?
builds_pid=""
[ "$builds_status" -eq 0 ] || { tail -n 30 "$tmp/builds.log"; fail "$([ "$builds_status" -eq 1 ] && echo "dotnet publish" || echo "building $client") failed"; }
DOCKER_BUILDKIT=1 "$docker" build -f deploy/Dockerfile --build-arg APP_SOURCE=prebuilt \
    --build-arg RUNTIME_IMAGE="$base_image" -t "$app_image" "$tmp/context" >"$tmp/build.log" 2>&1 \
    || { tail -n 30 "$tmp/build.log"; fail "docker build failed"; }
rm -rf "$tmp/context" "$tmp/artifacts"
phase "app image $app_image: self-contained $rid publish on the base, $("$docker" image inspect --format '{{.Size}}' "$app_image" | awk '{printf "%.0f MB", $1 / 1e6}')"

# --- 5. the cluster --------------------------------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
SMOKE_SEED_PORT=$(free_port)
SMOKE_GRPC_PORT=$(free_port)
export SMOKE_SEED_PORT SMOKE_GRPC_PORT SMOKE_WORKERS=$workers BACKPROP_IMAGE=$app_image
# An override cannot drop docker-compose.yml's published port, and docker-py refuses port bindings on the host
# network; so merge the two files and drop it (Debian's docker-compose brings python3-yaml).
docker-compose -f docker-compose.yml -f deploy/compose-smoke.override.yml config >"$tmp/merged.yml"
/usr/bin/python3 - "$tmp/merged.yml" "$tmp/compose.yml" <<'PY'
import sys, yaml
with open(sys.argv[1]) as merged:
    config = yaml.safe_load(merged)
for service in config["services"].values():
    if service.get("network_mode") == "host":
        service.pop("ports", None)
with open(sys.argv[2], "w") as out:
    yaml.safe_dump(config, out, sort_keys=False)
PY
# depends_on waits for the coordinator's health check (backprop-server --health-check) before starting workers.
compose up -d --no-build --scale worker="$workers" >"$tmp/up.log" 2>&1 || { cat "$tmp/up.log"; fail "docker-compose up failed"; }
members=0
for _ in $(seq 1 120); do
    # Members over mutual TLS only (akka.ssl.tcp): the certs service filled the volume every node mounts.
    members=$(compose logs --no-color coordinator 2>/dev/null | grep -c 'Member up: akka.ssl.tcp://' || true)
    [ "$members" -ge $((workers + 1)) ] && break
    sleep 0.5
done
[ "$members" -ge $((workers + 1)) ] || fail "the coordinator saw $members members up over TLS, expected $((workers + 1))"
health=$(compose ps coordinator | grep -o 'healthy' | head -n1 || true)
phase "cluster up: certs service, coordinator ($health) + $workers workers, $members members over mutual TLS; gRPC on 127.0.0.1:$SMOKE_GRPC_PORT, seed 127.0.0.1:$SMOKE_SEED_PORT"

# --- 6. a job over gRPC from the host ------------------------------------------------------------------------------
server="http://127.0.0.1:$SMOKE_GRPC_PORT"
submit=(dotnet "$(find "$tmp/cli/bin" -name backprop.dll | head -n1)")
"${submit[@]}" submit --server "$server" --data xor --epochs 5 --watch >"$tmp/submit.log" 2>&1 \
    || { tail -n 30 "$tmp/submit.log"; fail "the job did not succeed ($client)"; }
tail -n 3 "$tmp/submit.log" | sed 's/^/  /'
job=$(grep -o 'job-[A-Za-z0-9-]*' "$tmp/submit.log" | head -n1 || true)
phase "job ${job:-?} submitted with $client from the host: SUCCEEDED"


# --- 7. the coordinator crashes mid-job; restart: unless-stopped brings it back, and the job ends as if undisturbed ---
cli=("${submit[@]}")
crash_job=(--data spirals --hidden 16,16 --lr 0.01 --batch-size 256 --shard-size 32 --epochs 1500 --seed 7)
"${cli[@]}" train "${crash_job[@]}" --out "$tmp/reference.json" >"$tmp/reference.log" 2>&1 \
    || { tail -n 20 "$tmp/reference.log"; fail "backprop train of the reference failed"; }
"${cli[@]}" submit --server "$server" "${crash_job[@]}" --watch --every-steps 10 >"$tmp/crash-submit.log" 2>&1 &
watch_pid=$!
for _ in $(seq 1 600); do
    grep -q "^step \([3-9][0-9][0-9]\|[0-9]\{4,\}\)/" "$tmp/crash-submit.log" 2>/dev/null && break
    sleep 0.1
done
crash_id=$(grep -o 'job-[A-Za-z0-9-]*' "$tmp/crash-submit.log" | head -n1 || true)
[ -n "$crash_id" ] || { cat "$tmp/crash-submit.log"; fail "the crash job was not submitted"; }
container=$(compose ps -q coordinator)
pid=$("$docker" inspect -f '{{.State.Pid}}' "$container")
at_step=$(grep -o '^step [0-9]*' "$tmp/crash-submit.log" | tail -n1)
crashed_at=$SECONDS
kill -9 "$pid"
wait "$watch_pid" 2>/dev/null || true # the watch loses its server
# Until the restarted coordinator answers and the job ends: a watch that cannot connect exits non-zero, so retry it.
outcome=""
for _ in $(seq 1 90); do
    if "${cli[@]}" watch "$crash_id" --server "$server" >"$tmp/crash-watch.log" 2>&1; then
        outcome=succeeded
        break
    fi
    grep -q 'failed\|cancelled' "$tmp/crash-watch.log" && { outcome=$(tail -n1 "$tmp/crash-watch.log"); break; }
    sleep 2
done
[ "$outcome" = succeeded ] || { tail -n 20 "$tmp/crash-watch.log"; fail "job $crash_id did not succeed after the coordinator's crash: ${outcome:-no answer}"; }
recovered=$((SECONDS - crashed_at))
restarts=$("$docker" inspect -f '{{.RestartCount}}' "$container")
"${cli[@]}" model "$crash_id" --server "$server" --out "$tmp/crashed.json" >/dev/null 2>&1 || fail "backprop model $crash_id failed"
cmp -s "$tmp/reference.json" "$tmp/crashed.json" || fail "job $crash_id's model differs from backprop train's after the coordinator's crash"
phase "coordinator killed (kill -9 of pid $pid) at ${at_step:-?}/4500, restarted by docker ($restarts restart), job $crash_id succeeded ${recovered} s later with the weights of backprop train"

summary="coordinator + $workers workers (docker-compose --scale worker=$workers, host network on loopback), job ${job:-?} SUCCEEDED; coordinator crash mid-job: job $crash_id SUCCEEDED, identical weights"
