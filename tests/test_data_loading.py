"""coursekit.data loading: sources, verification, subsets, errors, the catalogue; and the
instructor's mirror tools (fetch, export)."""

from __future__ import annotations

import dataclasses
import pickle
import shutil

import numpy as np
import pytest

from coursekit import data
from coursekit.errors import DataIntegrityError, DataUnavailableError, InvalidParameterError
from coursekit.instructor import mirror


@pytest.fixture
def mirror_env(monkeypatch, shared_mirror, clean_sources):
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(shared_mirror))
    return shared_mirror


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_full_mnist_like_from_mirror(mirror_env, name, capsys):
    (x_train, y_train), (x_test, y_test) = ds = data.load(name)
    assert x_train.shape == (60_000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60_000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10_000, 28, 28) and y_test.shape == (10_000,)
    assert set(np.unique(y_train)) == set(range(10))
    assert ds.info.source == "offline mirror" and not ds.info.is_subset
    assert "verified" in ds.info.verified
    out = capsys.readouterr().out
    assert "60,000 train / 10,000 test" in out and "SUBSET" not in out
    assert "from offline mirror $COURSEKIT_DATA_DIR/" in out and str(mirror_env) not in out


def test_mnist_is_the_real_data(mirror_env):
    (x_train, y_train), _ = data.load("mnist", verbose=False)
    assert y_train[:8].tolist() == [5, 0, 4, 1, 9, 2, 1, 3]  # the famous first digits
    assert x_train.mean() == pytest.approx(33.318, abs=0.001)  # MNIST's well-known mean


def test_cifar_subset_is_announced_even_when_quiet(mirror_env, capsys):
    (x_train, y_train), (x_test, y_test) = ds = data.load("cifar10", verbose=False)
    assert x_train.shape == (5085, 32, 32, 3) and y_train.shape == (5085, 1)
    assert x_test.shape == (1017, 32, 32, 3) and y_test.shape == (1017, 1)
    assert ds.info.is_subset
    assert ds.info.label == "CIFAR-10 subset (5,085 / 1,017)"
    out = capsys.readouterr().out
    assert "SUBSET" in out and "5,085 train / 1,017 test" in out and "50,000 / 10,000" in out


def test_truncated_mnist_gives_short_error_naming_file_and_hash(tmp_path, monkeypatch,
                                                                shared_mirror, clean_sources):
    bad = tmp_path / "mirror"
    bad.mkdir()
    (bad / "mnist.npz").write_bytes((shared_mirror / "mnist.npz").read_bytes()[:500_000])
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(bad))
    with pytest.raises(DataIntegrityError) as err:
        data.load("mnist")
    msg = str(err.value)
    assert str(bad / "mnist.npz") in msg and "500,000 bytes" in msg
    assert "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1" in msg
    assert "11,490,434 bytes" in msg
    assert len(msg.splitlines()) <= 4 and "zipfile" not in msg.lower()
    # In Jupyter it renders as the message alone, without a traceback.
    assert err.value._render_traceback_()[0].endswith(msg.splitlines()[0])


def test_corrupt_mirror_file_is_not_skipped_for_another_source(tmp_path, monkeypatch,
                                                              shared_mirror, clean_sources):
    shutil.copy(shared_mirror / "mnist.npz", clean_sources / "mnist.npz")  # good cache copy
    bad = tmp_path / "mirror"
    bad.mkdir()
    (bad / "mnist.npz").write_bytes(b"not a zip at all")
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(bad))
    with pytest.raises(DataIntegrityError, match=r"mnist\.npz"):
        data.load("mnist")


def test_corrupt_fashion_gzip_names_the_file(tmp_path, monkeypatch, shared_mirror, clean_sources):
    folder = tmp_path / "m" / "fashion-mnist"
    shutil.copytree(shared_mirror / "fashion-mnist", folder)
    target = folder / "t10k-labels-idx1-ubyte.gz"
    target.write_bytes(target.read_bytes()[:100])
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(tmp_path / "m"))
    with pytest.raises(DataIntegrityError, match=r"t10k-labels-idx1-ubyte\.gz"):
        data.load("fashion_mnist")


def test_keras_cache_is_used_when_no_mirror(shared_mirror, clean_sources, no_network):
    shutil.copy(shared_mirror / "mnist.npz", clean_sources / "mnist.npz")
    shutil.copytree(shared_mirror / "fashion-mnist", clean_sources / "fashion-mnist")
    ds = data.load("mnist", verbose=False)
    assert ds.info.source == "Keras cache" and ds.info.train_count == 60_000
    assert data.load("fashion_mnist", verbose=False).info.source == "Keras cache"


def test_mirror_comes_before_keras_cache(mirror_env):
    shutil.copy(mirror_env / "mnist.npz", data.keras_cache_dir() / "mnist.npz")
    assert data.load("mnist", verbose=False).info.source == "offline mirror"


def test_no_network_no_mirror_fails_with_one_clear_message(clean_sources, no_network):
    with pytest.raises(DataUnavailableError) as err:
        data.load("mnist")
    msg = str(err.value)
    assert "could not be downloaded" in msg and "COURSEKIT_DATA_DIR" in msg
    assert "coursekit data export" in msg
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_generic_npz_for_any_dataset_and_subset_counts(tmp_path, monkeypatch, clean_sources,
                                                       capsys):
    rng = np.random.default_rng(0)
    mirror = tmp_path / "m"
    mirror.mkdir()
    np.savez(mirror / "fashion_mnist.npz",
             x_train=rng.integers(0, 256, (30, 28, 28), dtype=np.uint8),
             y_train=rng.integers(0, 10, 30, dtype=np.uint8),
             x_test=rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
             y_test=rng.integers(0, 10, 10, dtype=np.uint8))
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(mirror))
    ds = data.load("fashion_mnist", verbose=False)
    assert ds.info.is_subset and ds.info.train_count == 30
    assert "no known hash" in ds.info.verified
    assert "SUBSET" in capsys.readouterr().out


def test_generic_npz_with_wrong_shapes_is_rejected(tmp_path):
    path = tmp_path / "cifar10.npz"
    z = np.zeros((4, 28, 28), np.uint8)
    np.savez(path, x_train=z, y_train=np.zeros(4, np.uint8), x_test=z, y_test=np.zeros(4, np.uint8))
    with pytest.raises(DataIntegrityError, match=r"x_train is uint8 \(4, 28, 28\)"):
        data.load("cifar10", path=path)
    np.savez(path, x_train=z)
    with pytest.raises(DataIntegrityError, match="no array"):
        data.load("mnist", path=path)


def test_extracted_cifar_batches_folder(tmp_path, shared_mirror, capsys):
    """The official python-batch layout, written from real subset images."""
    (x, y), (xt, yt) = data.load("cifar10", path=shared_mirror / "cifar10-subset.npz",
                                 verbose=False)
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for i, name in enumerate(names):
        xs, ys = (xt[:20], yt[:20]) if name == "test_batch" else (x[i * 20:(i + 1) * 20],
                                                                  y[i * 20:(i + 1) * 20])
        flat = xs.transpose(0, 3, 1, 2).reshape(len(xs), -1)
        (folder / name).write_bytes(pickle.dumps({b"data": flat, b"labels": ys[:, 0].tolist()}))
    (a, b), (c, d) = ds = data.load("cifar10", path=tmp_path)
    np.testing.assert_array_equal(a[:20], x[:20])
    np.testing.assert_array_equal(c, xt[:20])
    assert a.shape == (100, 32, 32, 3) and b.shape == (100, 1) and d.shape == (20, 1)
    assert ds.info.is_subset and "structure checked" in ds.info.verified
    (folder / "test_batch").unlink()
    with pytest.raises(DataIntegrityError, match="test_batch is missing"):
        data.load("cifar10", path=tmp_path)


def test_cifar_tarball_with_wrong_hash_is_rejected(tmp_path):
    (tmp_path / "cifar-10-python.tar.gz").write_bytes(b"\x1f\x8b truncated")
    with pytest.raises(DataIntegrityError, match="6d958be074577803d12ecdefd02955f39262c83c16fe"):
        data.load("cifar10", path=tmp_path)


def test_path_errors(tmp_path):
    with pytest.raises(DataUnavailableError, match="No MNIST files"):
        data.load("mnist", path=tmp_path)
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(DataUnavailableError, match=r"not an \.npz"):
        data.load("mnist", path=tmp_path / "x.txt")


def test_unknown_dataset_name_lists_choices():
    with pytest.raises(InvalidParameterError, match="'mnist', 'fashion_mnist', 'cifar10'"):
        data.load("cifar100")
    with pytest.raises(InvalidParameterError, match="name"):
        data.class_names("imagenet")


def test_class_names():
    assert data.class_names("mnist") == [str(i) for i in range(10)]
    assert data.class_names("fashion_mnist")[0] == "T-shirt/top"
    assert data.class_names("cifar10")[3] == "cat" and len(data.class_names("cifar10")) == 10


def test_local_info_and_locate(mirror_env):
    assert data.local_info("cifar10").is_subset
    assert [src for src, _ in data.locate("mnist")] == [data.Source.MIRROR] == ["offline mirror"]
    assert data.locate("mnist", sources=(data.Source.CACHE,)) == []
    assert mirror.mirror_folder() == mirror_env


def test_local_info_none_when_absent(clean_sources):
    assert data.local_info("mnist") is None and data.locate("mnist") == []


def test_fetch_uses_cache_without_network(shared_mirror, clean_sources, no_network):
    shutil.copy(shared_mirror / "mnist.npz", clean_sources / "mnist.npz")
    [info] = mirror.fetch(["mnist"])
    assert info.source == "Keras cache" and info.train_count == 60_000
    with pytest.raises(DataUnavailableError, match="could not be downloaded"):
        mirror.fetch(["fashion_mnist"])


@pytest.mark.slow
def test_export_writes_a_mirror_that_loads(mirror_env, tmp_path, monkeypatch):
    out = tmp_path / "exported"
    infos = mirror.export(out)
    assert [i.name for i in infos] == ["mnist", "fashion_mnist", "cifar10"]
    assert (out / "mnist.npz").read_bytes() == (mirror_env / "mnist.npz").read_bytes()
    assert sorted(p.name for p in (out / "fashion-mnist").iterdir()) == sorted(
        p.name for p in (mirror_env / "fashion-mnist").iterdir())
    assert (out / "cifar10-subset.npz").is_file()
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(out))
    assert data.load("cifar10", verbose=False).info.is_subset
    assert data.load("mnist", verbose=False).info.path == str(out / "mnist.npz")


def test_export_with_nothing_here_writes_nothing(clean_sources, tmp_path):
    assert mirror.export(tmp_path / "empty") == []


@pytest.fixture
def tiny(tmp_path):
    """A new dataset, registered at run time: one .npz of 3×3 images in a mirror folder."""
    rng = np.random.default_rng(1)
    folder = tmp_path / "tiny-mirror"
    folder.mkdir()
    np.savez(folder / "tiny.npz", x_train=rng.integers(0, 256, (8, 3, 3), dtype=np.uint8),
             y_train=np.arange(8, dtype=np.uint8) % 2,
             x_test=rng.integers(0, 256, (4, 3, 3), dtype=np.uint8),
             y_test=np.arange(4, dtype=np.uint8) % 2)
    spec = data.register(data.DatasetSpec(
        name="tiny", title="Tiny", image_shape=(3, 3), label_shape=(), train_count=8,
        test_count=4, class_names=("even", "odd"), layouts=(data.Layout("tiny.npz", "npz"),)))
    yield folder, spec
    del data.DATASETS["tiny"]


def test_a_dataset_added_to_the_catalogue_loads_with_no_other_code(tiny, monkeypatch,
                                                                 clean_sources, tmp_path):
    folder, _ = tiny
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(folder))
    (x_train, _), (x_test, _) = ds = data.load("tiny", verbose=False)
    assert x_train.shape == (8, 3, 3) and x_test.shape == (4, 3, 3)
    assert (ds.info.source, ds.info.is_subset) == ("offline mirror", False)
    assert data.class_names("tiny") == ["even", "odd"]
    [info] = mirror.export(tmp_path / "out", ["tiny"])
    assert (tmp_path / "out" / "tiny.npz").is_file() and info.train_count == 8
    monkeypatch.delenv("COURSEKIT_DATA_DIR")
    with pytest.raises(DataUnavailableError,
                       match=r"Tiny is not on this machine and could not be downloaded "
                             r"\(coursekit has no download"):
        data.load("tiny")


def test_a_dataset_spec_with_an_unknown_reader_is_refused(tiny):
    _, spec = tiny
    with pytest.raises(ValueError, match="reader 'csv'; expected one of npz, idx-gz"):
        data.register(dataclasses.replace(spec, name="tiny2",
                                          layouts=(data.Layout("t.csv", "csv"),)))
    with pytest.raises(ValueError, match="already registered"):
        data.register(dataclasses.replace(spec, title="Other"))
