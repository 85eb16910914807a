"""The examples' data: MNIST from its IDX files, the SMS Spam Collection, and the synthetic sets.

MNIST is read the way torchvision lays it out (ROOT/MNIST/raw/*.gz) without torchvision: the files
are gzip'd IDX (a big-endian header, then raw uint8), checked by the MD5 sums torchvision uses.
Nothing here imports torch at module import time: the CLI must start fast.
"""
from __future__ import annotations
from explainer.i18n import _

import functools
import gzip
import hashlib
import os
import struct
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ExplainerError

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # torchvision's Normalize((0.1307,), (0.3081,))

# file name -> MD5, exactly the sums torchvision checks
MNIST_FILES = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
SMS_FILE = "SMSSpamCollection"
SMS_MD5 = "1949b64a224790d01335c2bf8a0e48b2"
SMS_BYTES = 477_907


def default_data_dir() -> Path:
    """EXPLAINER_DATA_DIR if set, else ./data (where the tutorials keep theirs)."""
    return Path(os.environ.get("EXPLAINER_DATA_DIR", "data"))


def md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------- IDX files

IDX_TYPES = {0x08: np.uint8}  # MNIST only uses unsigned bytes


def read_idx(path: Path) -> np.ndarray:
    """One gzip'd IDX file as a read-only array: magic (0, 0, type, ndim), ndim big-endian sizes, then data.

    Kept in memory per (file, size, mtime): a second run in the same process skips the unzip."""
    path = Path(path)
    stat = path.stat()
    return _read_idx_cached(path.resolve(), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _read_idx_cached(path: Path, size: int, mtime: int) -> np.ndarray:
    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError) as error:
        raise ExplainerError(_("{path} is not a readable gzip file ({error}); delete it and fetch it again.").format(path=path, error=error)) from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_TYPES:
        raise ExplainerError(_("{path} is not an IDX file (bad magic number); delete it and fetch it again.").format(path=path))
    ndim = raw[3]
    shape = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    body = np.frombuffer(raw, dtype=IDX_TYPES[raw[2]], offset=4 + 4 * ndim)
    if body.size != int(np.prod(shape)):
        raise ExplainerError(_("{path} holds {body_size} values but its header promises {shape}; it is truncated.").format(path=path, body_size=body.size, shape=shape))
    return body.reshape(shape)


# ---------------------------------------------------------------- MNIST

def mnist_raw_dir(root: Path) -> Path:
    return Path(root) / "MNIST" / "raw"


def ensure_mnist(root: Path, download: bool = True) -> Path:
    """The folder holding the four verified files; fetch missing ones when online, else one clear error."""
    raw = mnist_raw_dir(root)
    missing = [name for name in MNIST_FILES if not (raw / name).is_file()]
    if missing and download:
        _try_download(raw, missing)
        missing = [name for name in MNIST_FILES if not (raw / name).is_file()]
    if missing:
        raise ExplainerError(
            _("MNIST is missing {missing} in {raw}; put the four files ({MNIST_FILES}) there (torchvision's layout ROOT/MNIST/raw/) or pass --data-dir ROOT.").format(missing=', '.join(missing), raw=raw, MNIST_FILES=', '.join(MNIST_FILES)))
    for name, expected in MNIST_FILES.items():
        if md5(raw / name) != expected:
            raise ExplainerError(_("{raw_name} fails its MD5 check (expected {expected}); delete it and fetch it again.").format(raw_name=raw / name, expected=expected))
    return raw


def _try_download(raw: Path, names: list[str]) -> None:
    """Best effort: each missing file from the first mirror that answers; offline is not an error here."""
    try:
        raw.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    for name in names:
        for mirror in MNIST_MIRRORS:
            part = raw / (name + ".part")
            try:
                with urllib.request.urlopen(mirror + name, timeout=10) as response, open(part, "wb") as out:
                    out.write(response.read())
            except OSError:
                part.unlink(missing_ok=True)
                continue
            if md5(part) == MNIST_FILES[name]:
                part.replace(raw / name)
                break
            part.unlink(missing_ok=True)


@dataclass
class Mnist:
    """One split as uint8 images [N, 28, 28] and int64 labels [N] (numpy, no torch needed)."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def scaled(self) -> np.ndarray:
        """ToTensor: float32 in 0..1, shape [N, 1, 28, 28]."""
        return _byte_table(normalize=False)[self.images][:, None, :, :]

    def normalized(self) -> np.ndarray:
        """ToTensor + Normalize(0.1307, 0.3081), shape [N, 1, 28, 28], float32."""
        return _byte_table(normalize=True)[self.images][:, None, :, :]


def _byte_table(normalize: bool) -> np.ndarray:
    """The float32 value of each of the 256 bytes, computed with torchvision's float32 steps;
    one table lookup per pixel is several times faster than converting 47M pixels step by step."""
    table = np.arange(256, dtype=np.float32) / np.float32(255.0)
    if normalize:
        table = (table - np.float32(MNIST_MEAN)) / np.float32(MNIST_STD)
    return table


def load_mnist(root: Path | None = None, train: bool = True, limit: int | None = None,
               download: bool = True) -> Mnist:
    """The training (60,000) or test (10,000) split, the first `limit` images if given."""
    raw = ensure_mnist(Path(root) if root is not None else default_data_dir(), download=download)
    prefix = "train" if train else "t10k"
    images = read_idx(raw / f"{prefix}-images-idx3-ubyte.gz")
    labels = read_idx(raw / f"{prefix}-labels-idx1-ubyte.gz").astype(np.int64)
    if images.shape[0] != labels.shape[0]:
        raise ExplainerError(_("{raw} holds {images_shape} {prefix} images but {labels_shape} labels.").format(raw=raw, images_shape=images.shape[0], prefix=prefix, labels_shape=labels.shape[0]))
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    return Mnist(images, labels)


# ---------------------------------------------------------------- SMS Spam Collection

def read_sms(root: Path | None = None) -> list[tuple[str, str]]:
    """(label, text) pairs from ROOT/sms/SMSSpamCollection (or ROOT/SMSSpamCollection), one per line."""
    root = Path(root) if root is not None else default_data_dir()
    candidates = [root / "sms" / SMS_FILE, root / SMS_FILE]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise ExplainerError(
            _("the SMS Spam Collection is missing: put the file {SMS_FILE} (UCI's 'SMS Spam Collection v.1') in {root_sms} or pass --data-dir ROOT.").format(SMS_FILE=SMS_FILE, root_sms=root / 'sms'))
    pairs = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            label, tab, text = line.rstrip("\n").partition("\t")
            if not tab or label not in ("ham", "spam"):
                raise ExplainerError(_("{path} line {number} is not 'ham<TAB>text' or 'spam<TAB>text'.").format(path=path, number=number))
            pairs.append((label, text))
    # a file cut short still parses line by line: only its checksum tells
    if md5(path) != SMS_MD5:
        size = path.stat().st_size
        cut = _("; it has {size:,} of the {expected:,} bytes, so it is truncated").format(
            size=size, expected=SMS_BYTES) if size < SMS_BYTES else ""
        raise ExplainerError(_("{path} fails its MD5 check (expected {SMS_MD5}){cut}; replace it with UCI's original file.").format(path=path, SMS_MD5=SMS_MD5, cut=cut))
    return pairs


def sms_dataset(root: Path | None = None):
    """The tutorial's custom Dataset: len() is the number of messages, [i] is (label, text)."""
    from torch.utils.data import Dataset

    class SmsDataset(Dataset):
        def __init__(self, pairs):
            self.pairs = pairs

        def __getitem__(self, index):
            return self.pairs[index]

        def __len__(self):
            return len(self.pairs)

    return SmsDataset(read_sms(root))


# ---------------------------------------------------------------- synthetic sets

def linreg_data(seed: int, n: int = 50, column: bool = False):
    """The tutorials' y = 3x + 0.8 with x = rand(50) (or rand(50, 1)), as float32 torch tensors."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    x = torch.rand([n, 1] if column else [n], generator=generator)
    return x, 3 * x + 0.8


def two_layer_data(seed: int, n: int = 64, d_in: int = 1000, d_out: int = 10):
    """N=64 random inputs of size 1000 and random targets of size 10, as in the two-layer examples."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    return torch.randn(n, d_in, generator=generator), torch.randn(n, d_out, generator=generator)


XOR_X = [[1, 0, 1, 0], [1, 0, 1, 1], [0, 1, 0, 1]]  # the numpy-vs-torch inputs and targets
XOR_Y = [[1], [1], [0]]
