#!/usr/bin/env bash
# Scaling of the distributed trainer on one machine with at least 16 cores: the reference job (built-in MNIST
# subset, 784-256-128-10, batch 512) in-process on 16 threads, then as coordinator + 1, 2, 4 and 8 worker processes
# on loopback with 16 / workers threads each, then the report (samples/s, ÷ in-process, ÷ 1 worker, wire bytes per
# step). Builds once; needs no network once the NuGet packages are in the local cache (restore beforehand with
#   dotnet restore tests/Backprop.Benchmarks -p:DistributedOnly=true
# where the registry is reachable). -p:DistributedOnly=true leaves out BenchmarkDotNet and TorchSharp (~1.4 GB).
# Takes 2-4 minutes (build ~1-2 min, five runs of ~10-20 s each). Wire bytes need `ss` (iproute2).
#
#   tests/Backprop.Benchmarks/Distributed/run-scaling.sh            # from anywhere in the repository
#   EPOCHS=10 WORKERS=1,2,4,8 THREADS=16 tests/Backprop.Benchmarks/Distributed/run-scaling.sh
#   BENCH_DIR=path/to/built/output tests/Backprop.Benchmarks/Distributed/run-scaling.sh   # skip the build
#
# If $OUT is set (a folder), the whole log is also written to $OUT/scaling.log.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
threads=${THREADS:-16}
workers=${WORKERS:-1,2,4,8}
# 10, not 3: an epoch is only 16 steps (tens of ms on 16 cores), and the cluster processes load far more code
# (Akka, DotNetty, protobuf) than the in-process trainer, which the JIT is still tiering up in epochs 2-3.
epochs=${EPOCHS:-10}
bench_dir=${BENCH_DIR:-$repo/tests/Backprop.Benchmarks/bin/Release/net10.0}

cores=$(nproc)
echo "run-scaling: $cores cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
if (( cores < 16 )); then
    echo "run-scaling: WARNING: $cores cores; the scaling target (8 workers ≥ 7× one worker) assumes at least 16"
fi
if ! command -v ss >/dev/null; then
    echo "run-scaling: WARNING: ss (iproute2) is missing, so wire bytes will not be counted"
fi

if [[ -z "${BENCH_DIR:-}" ]]; then
    started=$SECONDS
    dotnet build -c Release "$repo/tests/Backprop.Benchmarks" -p:DistributedOnly=true --nologo -v quiet
    echo "run-scaling: built in $((SECONDS - started)) s"
fi

run() {
    # The benchmark kills a single run after 10 minutes; the whole sweep gets 7.
    timeout 420 dotnet "$bench_dir/Backprop.Benchmarks.dll" --distributed --workers "$workers" --threads "$threads" --epochs "$epochs"
}

if [[ -n "${OUT:-}" ]]; then
    mkdir -p "$OUT"
    run 2>&1 | tee "$OUT/scaling.log"
    exit "${PIPESTATUS[0]}"
fi

run
