#!/usr/bin/env bash
# Issue 13's anchor: backprop's coordinator + 2 worker processes x 1 thread against PyTorch DDP with 2 processes x 1
# thread (gloo on loopback), on this machine, in the same sitting, on 784-512-512-10 at batch 512; with one process of
# each for reference. Installs Debian's python3-torch and OpenBLAS if missing (root). Alternates the two, twice.
#
#   tests/Backprop.Benchmarks/Distributed/ddp-versus.sh            # EPOCHS=6 by default
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
epochs=${EPOCHS:-6}
here=$repo/tests/Backprop.Benchmarks/Distributed
# Debian's interpreter, where python3-torch installs (a python3 earlier on PATH, e.g. pyenv's, would not see it).
py=/usr/bin/python3

if ! $py -c "import torch" 2>/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-torch libopenblas0-pthread >/dev/null
fi

dotnet build -c Release "$repo/src/Backprop.Cli" --nologo -v quiet >/dev/null
cli="dotnet $repo/src/Backprop.Cli/bin/Release/net10.0/backprop.dll"

# The median samples/s of epochs 2..E from the CLI's epoch lines ("(0.2 s, 34,768 samples/s)").
ours() {
    $cli train --data mnist --hidden 512,512 --batch-size 512 --epochs "$epochs" --seed 1 --threads 1 "$@" |
        sed -n 's/.*epoch \([0-9]*\)\/.*(.* s, \([0-9,]*\) samples\/s).*/\1 \2/p' | awk '$1 > 1 { gsub(",", "", $2); print $2 }' |
        sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

echo "ddp-versus: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), torch $($py -c 'import torch; print(torch.__version__)')"
for round in 1 2; do
    one=$(ours)
    two=$(ours --workers 2)
    ddp1=$($py "$here/ddp_baseline.py" --processes 1 --epochs "$epochs" | sed 's/.*: \([0-9,]*\) samples.*/\1/' | tr -d ,)
    ddp2=$($py "$here/ddp_baseline.py" --processes 2 --epochs "$epochs" | sed 's/.*: \([0-9,]*\) samples.*/\1/' | tr -d ,)
    echo "round $round: backprop 1 thread $one, 2 workers x 1 thread $two; DDP 1 process $ddp1, 2 processes $ddp2 samples/s;" \
        "backprop 2 workers ÷ DDP 2 processes $(awk -v a="$two" -v b="$ddp2" 'BEGIN { printf "%.2f", a / b }') (target ≥ 1.00)"
done
