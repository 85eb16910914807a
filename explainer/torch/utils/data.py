"""torch.utils.data for the engine: Dataset, TensorDataset, Subset, random_split, DataLoader.

Batches are collated as torch's `default_collate` does: tensors and numpy arrays are stacked,
Python ints become an int64 tensor and floats a float64 one, strings stay a tuple, and a tuple
sample gives a list of collated fields. `num_workers` is accepted and ignored (one process).
Shuffling draws from the engine's generator, so `manual_seed` fixes the order.
"""
from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence

import numpy as np

from ...errors import ExplainerError
from ...i18n import gettext
from ...tensor import Tensor, TensorError, _leaf, _rng, stack


class Dataset:
    """Subclass it and define `__getitem__(index)` and `__len__()`."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __add__(self, other: "Dataset") -> "ConcatDataset":
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Sample i is (t[i] for each tensor); all tensors share their first dimension."""

    def __init__(self, *tensors: Tensor):
        if any(t.shape[0] != tensors[0].shape[0] for t in tensors):
            raise ExplainerError(gettext("Size mismatch between tensors: every tensor of a TensorDataset needs the "
                                         "same first dimension."))
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset):
    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, list(indices)

    def __getitem__(self, index):
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    def __init__(self, datasets):
        self.datasets = list(datasets)
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]))

    def __len__(self) -> int:
        return int(self.cumulative_sizes[-1]) if self.cumulative_sizes else 0

    def __getitem__(self, index):
        if index < 0:
            index += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


def random_split(dataset, lengths, generator=None) -> list[Subset]:
    """Split into non-overlapping random subsets of the given lengths (or fractions summing to 1)."""
    n = len(dataset)
    if all(isinstance(x, float) for x in lengths) and math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ExplainerError(gettext("Sum of input lengths does not equal the length of the input dataset!"))
    order = _rng(generator).permutation(n).tolist()
    out, start = [], 0
    for length in lengths:
        out.append(Subset(dataset, order[start:start + length]))
        start += length
    return out


def default_collate(batch):
    """Stack a list of samples into a batch, field by field (torch's default_collate)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        shapes = [tuple(x.shape) for x in batch]
        if any(s != shapes[0] for s in shapes):
            bad = next(i for i, s in enumerate(shapes) if s != shapes[0])
            raise TensorError(f"stack expects each tensor to be equal size, but got {list(shapes[0])} "
                              f"at entry 0 and {list(shapes[bad])} at entry {bad}")
        return stack(batch)
    if isinstance(elem, np.ndarray) and elem.dtype.kind in "biuf":
        return _leaf(np.stack(batch))
    if isinstance(elem, np.generic):
        return _leaf(np.asarray(batch))
    if isinstance(elem, bool):
        return _leaf(np.asarray(batch, dtype=np.bool_))
    if isinstance(elem, int):
        return _leaf(np.asarray(batch, dtype=np.int64))
    if isinstance(elem, float):
        return _leaf(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return batch                    # as torch: strings stay the tuple (or list) they came in
    if isinstance(elem, Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):          # a namedtuple
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, Sequence):
        if any(len(x) != len(elem) for x in batch):
            raise TensorError("each element in list of batch should be of equal size")
        return [default_collate(samples) for samples in zip(*batch)]
    raise ExplainerError(gettext("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                                 "found {type}").format(type=type(elem).__name__))


class DataLoader:
    """Batches of a dataset, optionally shuffled each epoch: len() = ceil(len(dataset)/batch_size)."""

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool = False, sampler=None,
                 batch_sampler=None, num_workers: int = 0, collate_fn=None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn=None, generator=None,
                 **_ignored):
        if batch_size is not None and batch_size <= 0:
            raise ExplainerError(gettext("batch_size should be a positive integer value, but got "
                                         "batch_size={batch_size}").format(batch_size=batch_size))
        self.dataset, self.batch_size, self.shuffle = dataset, batch_size, shuffle
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.num_workers, self.drop_last, self.generator = num_workers, drop_last, generator
        self.collate_fn = collate_fn or default_collate

    def _batches(self):
        if self.batch_sampler is not None:
            yield from self.batch_sampler
            return
        n = len(self.dataset)
        if self.sampler is not None:
            order = list(self.sampler)
        elif self.shuffle:
            order = _rng(self.generator).permutation(n).tolist()
        else:
            order = range(n)
        if self.batch_size is None:
            yield from ([i] for i in order)
            return
        for start in range(0, len(order), self.batch_size):
            chunk = list(order[start:start + self.batch_size])
            if self.drop_last and len(chunk) < self.batch_size:
                return
            yield chunk

    def __iter__(self):
        fast = isinstance(self.dataset, TensorDataset) and self.collate_fn is default_collate
        for indices in self._batches():
            if self.batch_size is None:
                yield self.dataset[indices[0]]
            elif fast:        # index every tensor once per batch: the same batch, far fewer steps
                rows = np.asarray(indices, dtype=np.int64)
                yield [_leaf(t.value[rows]) for t in self.dataset.tensors]
            else:
                yield self.collate_fn([self.dataset[i] for i in indices])

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)


__all__ = ["Dataset", "TensorDataset", "Subset", "ConcatDataset", "random_split",
           "default_collate", "DataLoader"]
