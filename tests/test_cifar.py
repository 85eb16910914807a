"""The CIFAR-10 binary reader on small files written in the real format (1 label byte + 3072 pixel
bytes per record, red then green then blue planes, rows in order)."""
from __future__ import annotations

import hashlib
import io
import tarfile

import numpy as np
import pytest

from explainer import cifar
from explainer.errors import ExplainerError

RECORDS = 4  # per file here; the real files hold 10,000


def batch_bytes(seed: int, records: int = RECORDS) -> tuple[bytes, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, records, dtype=np.uint8)
    images = rng.integers(0, 256, (records, 3, 32, 32), dtype=np.uint8)
    raw = b"".join(bytes([label]) + image.tobytes() for label, image in zip(labels, images))
    return raw, images, labels


def write_folder(root, names=cifar.TRAIN_FILES + (cifar.TEST_FILE,)):
    folder = root / cifar.FOLDER
    folder.mkdir(parents=True)
    contents = {}
    for seed, name in enumerate(names):
        raw, images, labels = batch_bytes(seed)
        (folder / name).write_bytes(raw)
        contents[name] = (raw, images, labels)
    return folder, contents


def small(**md5s) -> cifar.Layout:
    return cifar.Layout(records=RECORDS, md5s=md5s)


def test_record_layout_is_label_then_red_green_blue_planes(tmp_path):
    folder = tmp_path / cifar.FOLDER
    folder.mkdir()
    record = bytes([7]) + bytes([10]) * 1024 + bytes([20]) * 1024 + bytes(range(256)) * 4
    (folder / cifar.TEST_FILE).write_bytes(record)
    data = cifar.load_cifar10(tmp_path, train=False, layout=cifar.Layout(records=1))
    assert data.labels.tolist() == [7] and data.labels.dtype == np.int64
    assert data.images.shape == (1, 3, 32, 32)
    assert data.images[0, 0].min() == data.images[0, 0].max() == 10       # red plane
    assert data.images[0, 1].min() == data.images[0, 1].max() == 20       # green plane
    assert data.images[0, 2, 0, :5].tolist() == [0, 1, 2, 3, 4]           # blue, first row
    assert data.images[0, 2, 8, 0] == 0 and data.images[0, 2, 7, 31] == 255
    assert np.isclose(data.scaled()[0, 2, 7, 31], 1.0) and data.scaled().dtype == np.float32


def test_good_files_read_in_order_with_md5_checked(tmp_path):
    _, contents = write_folder(tmp_path)
    sums = {name: hashlib.md5(raw).hexdigest() for name, (raw, _, _) in contents.items()}
    train = cifar.load_cifar10(tmp_path, train=True, layout=small(**sums))
    assert len(train) == 5 * RECORDS
    assert np.array_equal(train.images[:RECORDS], contents["data_batch_1.bin"][1])
    assert np.array_equal(train.labels[-RECORDS:], contents["data_batch_5.bin"][2])
    test = cifar.load_cifar10(tmp_path, train=False, layout=small(**sums))
    assert np.array_equal(test.images, contents["test_batch.bin"][1])


def test_limit_reads_only_the_files_it_needs(tmp_path):
    folder, contents = write_folder(tmp_path)
    (folder / "data_batch_3.bin").write_bytes(b"not read")  # would fail if it were read
    data = cifar.load_cifar10(tmp_path, train=True, limit=RECORDS + 2, layout=small())
    assert len(data) == RECORDS + 2
    assert np.array_equal(data.labels[RECORDS:], contents["data_batch_2.bin"][2][:2])


def test_truncated_file_is_one_sentence_naming_it(tmp_path):
    folder, contents = write_folder(tmp_path)
    (folder / "data_batch_1.bin").write_bytes(contents["data_batch_1.bin"][0][:5000])
    with pytest.raises(ExplainerError) as error:
        cifar.load_cifar10(tmp_path, layout=small())
    message = str(error.value)
    assert "data_batch_1.bin has 5,000 bytes, not the 12,292 of 4 records of 3,073 bytes: it is truncated" in message
    assert "\n" not in message and message.count(". ") == 0


def test_real_layout_expects_30730000_bytes_per_file(tmp_path):
    write_folder(tmp_path)
    with pytest.raises(ExplainerError, match="not the 30,730,000 of 10,000 records"):
        cifar.load_cifar10(tmp_path, train=False)


def test_wrong_md5_is_one_sentence_naming_the_file_and_where_to_put_it(tmp_path):
    folder, _ = write_folder(tmp_path)
    with pytest.raises(ExplainerError) as error:
        cifar.load_cifar10(tmp_path, train=False, layout=small(**{"test_batch.bin": "0" * 32}))
    assert str(error.value) == (f"{folder / 'test_batch.bin'} fails its MD5 check (expected {'0' * 32}); "
                                f"replace it with the file from cifar-10-binary.tar.gz in {folder}.")


def test_missing_file_and_missing_folder(tmp_path):
    write_folder(tmp_path, names=cifar.TRAIN_FILES[:2])
    with pytest.raises(ExplainerError, match=r"CIFAR-10 is missing data_batch_3.bin in .*cifar-10-batches-bin"):
        cifar.load_cifar10(tmp_path, layout=small())
    empty = tmp_path / "empty"
    (empty / "cifar-10-batches-py").mkdir(parents=True)
    assert not cifar.available(empty)
    with pytest.raises(ExplainerError, match="pickled python version, which is not read"):
        cifar.load_cifar10(empty)


def test_label_out_of_range_is_caught(tmp_path):
    folder, contents = write_folder(tmp_path)
    raw = bytearray(contents["test_batch.bin"][0])
    raw[2 * cifar.RECORD] = 200
    (folder / "test_batch.bin").write_bytes(bytes(raw))
    with pytest.raises(ExplainerError, match="record 2 has label 200, not 0–9"):
        cifar.load_cifar10(tmp_path, train=False, layout=small())


def write_archive(root, names=cifar.TRAIN_FILES + (cifar.TEST_FILE,)):
    buffer = io.BytesIO()
    contents = {}
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for seed, name in enumerate(names):
            raw, images, labels = batch_bytes(seed)
            info = tarfile.TarInfo(f"{cifar.FOLDER}/{name}")
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
            contents[name] = images
    (root / cifar.ARCHIVE).write_bytes(buffer.getvalue())
    return hashlib.md5(buffer.getvalue()).hexdigest(), contents


def test_whole_archive_is_read_in_place_after_its_md5_check(tmp_path):
    digest, contents = write_archive(tmp_path)
    assert cifar.available(tmp_path)
    layout = cifar.Layout(records=RECORDS, archive_md5=digest)
    data = cifar.load_cifar10(tmp_path, train=False, layout=layout)
    assert np.array_equal(data.images, contents["test_batch.bin"])
    assert not (tmp_path / cifar.FOLDER).exists()  # nothing unpacked on disk


def test_archive_with_wrong_md5_is_one_sentence(tmp_path):
    write_archive(tmp_path)
    with pytest.raises(ExplainerError) as error:
        cifar.load_cifar10(tmp_path, train=False, layout=small())  # the official MD5: ours differs
    assert str(error.value).startswith(f"{(tmp_path / cifar.ARCHIVE).resolve()} fails its MD5 check "
                                       f"(expected {cifar.ARCHIVE_MD5}); it is damaged or not the binary version")
