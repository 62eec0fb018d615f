"""PyTorch DistributedDataParallel on this machine, the anchor of issue 13: N processes x 1 thread (gloo on loopback)
train an MLP of the given sizes on synthetic MNIST-shaped data (8,000 samples, 784 inputs, 10 classes; throughput does not
depend on the values) with Adam and cross-entropy, a global batch split evenly over the processes. Prints the median
samples/s of epochs 2..E (epoch 1 warms up), as the backprop CLI reports its epochs.

    python3 ddp_baseline.py --processes 2 --hidden 512,512 --batch-size 512 --epochs 6
"""
import argparse
import os
import statistics
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel

SAMPLES, INPUTS, CLASSES = 8000, 784, 10


def model(hidden):
    layers, width = [], INPUTS
    for size in hidden:
        layers += [torch.nn.Linear(width, size), torch.nn.ReLU()]
        width = size
    return torch.nn.Sequential(*layers, torch.nn.Linear(width, CLASSES))


def train(rank, args, results):
    torch.set_num_threads(1)
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(args.port))
    dist.init_process_group("gloo", rank=rank, world_size=args.processes)
    torch.manual_seed(1)
    net = DistributedDataParallel(model(args.hidden)) if args.processes > 1 else model(args.hidden)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(rank)
    inputs = torch.rand(SAMPLES, INPUTS, generator=generator)
    labels = torch.randint(0, CLASSES, (SAMPLES,), generator=generator)
    local = args.batch_size // args.processes
    rates = []
    for _ in range(args.epochs):
        dist.barrier()
        started = time.perf_counter()
        for first in range(0, SAMPLES, args.batch_size):
            x = inputs[first:first + local]
            y = labels[first:first + local]
            optimizer.zero_grad()
            loss(net(x), y).backward()
            optimizer.step()
        dist.barrier()
        rates.append(SAMPLES / (time.perf_counter() - started))
    if rank == 0:
        results.put(statistics.median(rates[1:]))
    dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--hidden", type=lambda text: [int(size) for size in text.split(",")], default=[512, 512])
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--port", type=int, default=29517)
    args = parser.parse_args()
    context = mp.get_context("spawn")
    results = context.Queue()
    mp.spawn(train, args=(args, results), nprocs=args.processes, join=True)
    print(f"ddp {args.processes} x 1 thread: {results.get():,.0f} samples/s")


if __name__ == "__main__":
    main()
