"""MNIST from its IDX files (checked by MD5), the SMS Spam Collection, and their error messages."""
from __future__ import annotations

import gzip
import math
import os
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from explainer import data
from explainer.errors import ExplainerError


def _find_data_dir() -> Path | None:
    env = os.environ.get("EXPLAINER_DATA_DIR")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2] / "shared" / "data")
    return next((p for p in candidates if (p / "MNIST" / "raw").is_dir()), None)


DATA_DIR = _find_data_dir()
needs_data = pytest.mark.skipif(DATA_DIR is None, reason="the offline datasets (shared/data or "
                                "$EXPLAINER_DATA_DIR with MNIST/raw and sms/) are not on this machine")


@pytest.fixture
def offline(monkeypatch):
    """No network in tests: every mirror refuses at once."""
    monkeypatch.setattr(data, "MNIST_MIRRORS", ("http://127.0.0.1:9/",))


@needs_data
def test_mnist_splits_have_the_published_shapes_and_first_labels():
    train = data.load_mnist(DATA_DIR, train=True, download=False)
    test = data.load_mnist(DATA_DIR, train=False, download=False)
    assert train.images.shape == (60000, 28, 28) and train.images.dtype == np.uint8
    assert test.images.shape == (10000, 28, 28)
    assert train.labels[:5].tolist() == [5, 0, 4, 1, 9]   # MNIST's well-known first training labels
    assert test.labels[:3].tolist() == [7, 2, 1]
    assert np.bincount(train.labels).tolist()[1] == 6742  # the count of ones in the training set


@needs_data
def test_normalisation_matches_totensor_then_normalize():
    train = data.load_mnist(DATA_DIR, train=True, limit=1000, download=False)
    scaled = train.scaled()
    assert scaled.shape == (1000, 1, 28, 28) and scaled.dtype == np.float32
    assert scaled.min() == 0.0 and scaled.max() == 1.0
    expected = (train.images.astype(np.float32) / np.float32(255) - np.float32(0.1307)) / np.float32(0.3081)
    assert np.array_equal(train.normalized()[:, 0], expected)
    full = data.load_mnist(DATA_DIR, train=True, download=False).scaled()
    assert abs(float(full.mean()) - 0.1307) < 1e-4 and abs(float(full.std()) - 0.3081) < 1e-4


def test_missing_mnist_names_the_files_and_the_folder(tmp_path, offline):
    with pytest.raises(ExplainerError) as caught:
        data.load_mnist(tmp_path)
    message = str(caught.value)
    assert str(tmp_path / "MNIST" / "raw") in message
    for name in data.MNIST_FILES:
        assert name in message
    assert "--data-dir" in message


@needs_data
def test_a_file_with_the_wrong_md5_is_refused(tmp_path, offline):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in data.MNIST_FILES:
        shutil.copy(DATA_DIR / "MNIST" / "raw" / name, raw / name)
    with open(raw / "t10k-labels-idx1-ubyte.gz", "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ExplainerError, match="t10k-labels-idx1-ubyte.gz fails its MD5 check"):
        data.load_mnist(tmp_path)


def test_read_idx_parses_the_header_and_refuses_bad_files(tmp_path):
    good = tmp_path / "good.gz"
    with gzip.open(good, "wb") as handle:
        handle.write(bytes([0, 0, 0x08, 2]) + struct.pack(">2I", 2, 3) + bytes(range(6)))
    assert data.read_idx(good).tolist() == [[0, 1, 2], [3, 4, 5]]
    bad_magic = tmp_path / "bad.gz"
    with gzip.open(bad_magic, "wb") as handle:
        handle.write(b"\x12\x34\x08\x01" + struct.pack(">I", 1) + b"\x00")
    with pytest.raises(ExplainerError, match="not an IDX file"):
        data.read_idx(bad_magic)
    short = tmp_path / "short.gz"
    with gzip.open(short, "wb") as handle:
        handle.write(bytes([0, 0, 0x08, 1]) + struct.pack(">I", 10) + bytes(4))
    with pytest.raises(ExplainerError, match="truncated"):
        data.read_idx(short)
    not_gzip = tmp_path / "plain.gz"
    not_gzip.write_bytes(b"hello")
    with pytest.raises(ExplainerError, match="not a readable gzip file"):
        data.read_idx(not_gzip)


@needs_data
def test_sms_collection_has_5574_messages_and_558_batches_of_ten():
    from torch.utils.data import DataLoader

    pairs = data.read_sms(DATA_DIR)
    assert len(pairs) == 5574
    assert sum(label == "ham" for label, _ in pairs) == 4827
    assert sum(label == "spam" for label, _ in pairs) == 747
    assert pairs[-1] == ("ham", "Rofl. Its true to its name")
    dataset = data.sms_dataset(DATA_DIR)
    assert len(dataset) == 5574 and dataset[5573] == pairs[-1]
    loader = DataLoader(dataset, batch_size=10, shuffle=True)
    assert len(loader) == 558 == math.ceil(5574 / 10)
    labels, messages = next(iter(loader))
    assert len(labels) == len(messages) == 10 and set(labels) <= {"ham", "spam"}


def test_missing_or_malformed_sms_file_is_one_sentence(tmp_path):
    with pytest.raises(ExplainerError, match="SMSSpamCollection"):
        data.read_sms(tmp_path)
    (tmp_path / "sms").mkdir()
    (tmp_path / "sms" / "SMSSpamCollection").write_text("ham\tfine\nmaybe spam without a tab\n")
    with pytest.raises(ExplainerError, match="line 2"):
        data.read_sms(tmp_path)
