"""sms-dataset: the SMS Spam Collection through a custom Dataset and a DataLoader.

The tutorial: a Dataset whose __getitem__ returns (label, message) and __len__ the number of lines,
then DataLoader(dataset, batch_size=10, shuffle=True); len(dataset) = 5,574 and
len(loader) = ceil(5574 / 10) = 558. (It names the class CifarDataset and splits each line at
character 4; here the class is SmsDataset and each line is split at its tab.)
"""
from __future__ import annotations

import math
from collections import Counter

from ..data import sms_dataset
from .registry import Example, RunOptions, RunResult, register
from .runtime import Clock, finish, setup_torch

NAME = "sms-dataset"
BATCH = 10


def run(options: RunOptions) -> RunResult:
    torch = setup_torch(options.seed)
    from torch.utils.data import DataLoader

    dataset = sms_dataset(options.data_dir)
    clock = Clock()
    loader = DataLoader(dataset, batch_size=BATCH, shuffle=True,
                        generator=torch.Generator().manual_seed(options.seed))
    batches = 0
    options.reporter.start(len(loader), NAME)
    for index, (labels, messages) in enumerate(loader):  # one pass, as the tutorial prints them
        if index == 0:
            first = {"labels": list(labels), "messages": list(messages)}
        batches += 1
        options.reporter.advance(1)
    options.reporter.stop()
    counts = Counter(label for label, _ in dataset.pairs)
    extra = {"samples": len(dataset), "batches": len(loader), "batches_seen": batches,
             "expected_batches": math.ceil(len(dataset) / BATCH), "ham": counts["ham"], "spam": counts["spam"],
             "last_sample": list(dataset[len(dataset) - 1]), "first_batch": first}
    result = RunResult(NAME, "torch", "cpu", extra=extra, reported="len(dataset) = 5574, len(loader) = 558")
    return finish(result, clock, options)


register(Example(
    name=NAME,
    summary="the SMS Spam Collection through a custom Dataset and a DataLoader (batch 10, shuffled)",
    source="Pytorch中的数据加载 (seed 000): Dataset, DataLoader, len(loader) = ceil(samples / batch)",
    hyper={"batch_size": BATCH, "shuffle": True},
    reported="len(dataset) = 5574; len(loader) = 558",
    expects="5,574 samples (4,827 ham, 747 spam) and 558 batches",
    run=run,
    devices=("cpu",),
    data="sms",
    checkpoints=False,
))
