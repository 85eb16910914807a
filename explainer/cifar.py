"""CIFAR-10 from its binary version (ROOT/cifar-10-batches-bin/*.bin): numpy only, no pickle.

Each file is a run of 3,073-byte records: one label byte (0–9), then 3,072 pixel bytes — 1,024 red,
1,024 green, 1,024 blue, each a 32×32 image row by row. The five training files and the test file
hold 10,000 records each, so each is exactly 30,730,000 bytes
(https://www.cs.toronto.edu/~kriz/cifar.html, "Binary version").

What is checked: the CIFAR page publishes one MD5, for the archive cifar-10-binary.tar.gz, and none
per file. So an archive left whole in ROOT is read in place and checked against that MD5; unpacked
files are checked by their size (a file cut short is caught) and their labels (0–9), and by MD5
too when a layout names one per file (the tests do).
"""
from __future__ import annotations

import functools
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .data import default_data_dir, md5
from .errors import ExplainerError
from .i18n import gettext

FOLDER = "cifar-10-batches-bin"
ARCHIVE = "cifar-10-binary.tar.gz"
ARCHIVE_MD5 = "c32a1d4ab5d03f1284b67883e8d87530"  # the MD5 the CIFAR page gives for the binary archive
TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST_FILE = "test_batch.bin"
RECORD = 1 + 3 * 32 * 32
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
WHERE = "https://www.cs.toronto.edu/~kriz/cifar.html"


@dataclass(frozen=True)
class Layout:
    """What the files must look like: records per file, and MD5s where known."""

    records: int = 10_000
    md5s: dict = field(default_factory=dict)   # file name -> MD5; the CIFAR page publishes none per file
    archive_md5: str = ARCHIVE_MD5


CIFAR10 = Layout()


@dataclass
class Cifar10:
    """One split as uint8 images [N, 3, 32, 32] and int64 labels [N]."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def scaled(self) -> np.ndarray:
        """ToTensor: float32 in 0..1, shape [N, 3, 32, 32]."""
        return self.images.astype(np.float32) / np.float32(255.0)


def available(root: Path | None = None) -> bool:
    """Whether ROOT holds the binary version, unpacked or as its archive (nothing is checked yet)."""
    root = _root(root)
    return (root / FOLDER).is_dir() or (root / ARCHIVE).is_file()


def load_cifar10(root: Path | None = None, train: bool = True, limit: int | None = None,
                 layout: Layout = CIFAR10) -> Cifar10:
    """The training (50,000) or test (10,000) split, the first `limit` images if given; only the
    files those images are in are read."""
    root = _root(root)
    names = TRAIN_FILES if train else (TEST_FILE,)
    wanted = len(names) * layout.records if limit is None else min(limit, len(names) * layout.records)
    read = _reader(root, layout)
    images, labels = [], []
    for name in names[:-(-wanted // layout.records)]:
        batch_images, batch_labels = read(name)
        images.append(batch_images)
        labels.append(batch_labels)
    images, labels = np.concatenate(images)[:wanted], np.concatenate(labels)[:wanted]
    return Cifar10(images, labels.astype(np.int64))


def parse_batch(raw: bytes, where: str, layout: Layout = CIFAR10) -> tuple[np.ndarray, np.ndarray]:
    """One batch file's bytes as (images [n, 3, 32, 32] uint8, labels [n] uint8), size and labels checked."""
    expected = layout.records * RECORD
    if len(raw) != expected:
        cut = gettext("it is truncated") if len(raw) < expected else gettext("it is longer than a CIFAR-10 batch file")
        raise ExplainerError(gettext("{where} has {size:,} bytes, not the {expected:,} of {records:,} records of "
                                     "{record:,} bytes: {cut}; replace it with the file from {archive}.").format(
            where=where, size=len(raw), expected=expected, records=layout.records, record=RECORD, cut=cut,
            archive=ARCHIVE))
    records = np.frombuffer(raw, dtype=np.uint8).reshape(layout.records, RECORD)
    labels = records[:, 0]
    bad = np.flatnonzero(labels > 9)
    if bad.size:
        raise ExplainerError(gettext("{where} record {record} has label {label}, not 0–9: it is not a CIFAR-10 "
                                     "binary batch file; replace it with the file from {archive}.").format(
            where=where, record=bad[0], label=labels[bad[0]], archive=ARCHIVE))
    return records[:, 1:].reshape(layout.records, 3, 32, 32), labels


def _root(root) -> Path:
    return Path(root) if root is not None else default_data_dir()


def _reader(root: Path, layout: Layout):
    """name -> (images, labels), from the unpacked folder if there, else from the archive."""
    folder = root / FOLDER
    if folder.is_dir():
        return lambda name: _read_file(folder / name, layout)
    if (root / ARCHIVE).is_file():
        members = _archive(root / ARCHIVE, layout)
        return lambda name: parse_batch(members[name], f"{root / ARCHIVE}:{FOLDER}/{name}", layout)
    python = gettext(" (found cifar-10-batches-py, the pickled python version, which is not read)") \
        if (root / "cifar-10-batches-py").is_dir() else ""
    raise ExplainerError(gettext("CIFAR-10 is missing in {root}{python}; put the binary version there — {archive} "
                                 "from {where}, whole or unpacked into {folder} — or pass --data-dir ROOT.").format(
        root=root, python=python, archive=ARCHIVE, where=WHERE, folder=folder))


def _read_file(path: Path, layout: Layout):
    if not path.is_file():
        raise ExplainerError(gettext("CIFAR-10 is missing {name} in {folder}; put the binary version's files there "
                                     "({archive} from {where}, unpacked) or pass --data-dir ROOT.").format(
            name=path.name, folder=path.parent, archive=ARCHIVE, where=WHERE))
    expected = layout.md5s.get(path.name)
    if expected is not None and md5(path) != expected:
        raise ExplainerError(gettext("{path} fails its MD5 check (expected {expected}); replace it with the file "
                                     "from {archive} in {folder}.").format(
            path=path, expected=expected, archive=ARCHIVE, folder=path.parent))
    return parse_batch(path.read_bytes(), str(path), layout)


@functools.lru_cache(maxsize=2)
def _archive_cached(path: Path, size: int, mtime: int, archive_md5: str) -> dict[str, bytes]:
    if md5(path) != archive_md5:
        raise ExplainerError(gettext("{path} fails its MD5 check (expected {expected}); it is damaged or not the "
                                     "binary version: download {archive} again from {where} into {folder}.").format(
            path=path, expected=archive_md5, archive=ARCHIVE, where=WHERE, folder=path.parent))
    members = {}
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive.getmembers():
                folder, _, name = member.name.rpartition("/")
                if member.isfile() and folder.endswith(FOLDER) and name.endswith(".bin"):
                    members[name] = archive.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError) as error:
        raise ExplainerError(gettext("{path} is not a readable tar.gz archive ({error}); download it again from "
                                     "{where}.").format(path=path, error=error, where=WHERE)) from None
    return members


def _archive(path: Path, layout: Layout) -> dict[str, bytes]:
    """The archive's batch files by name (read once per process), after its MD5 check."""
    stat = path.stat()
    members = _archive_cached(path.resolve(), stat.st_size, stat.st_mtime_ns, layout.archive_md5)
    return _MissingMember(members, path)


class _MissingMember(dict):
    """A member the archive lacks is one sentence, not a KeyError."""

    def __init__(self, members, path):
        super().__init__(members)
        self.path = path

    def __missing__(self, name):
        raise ExplainerError(gettext("{path} has no {folder}/{name}; it is not CIFAR-10's binary version: "
                                     "download {archive} again from {where}.").format(
            path=self.path, folder=FOLDER, name=name, archive=ARCHIVE, where=WHERE))
