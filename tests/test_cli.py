"""The coursekit command line: data info, fetch, export."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from coursekit.instructor import cli


@pytest.mark.slow
def test_data_info_lists_sources_and_subset(monkeypatch, shared_mirror, clean_sources, capsys):
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(shared_mirror))
    assert cli.main(["data", "info"]) == 0
    out = capsys.readouterr().out
    assert f"offline mirror : {shared_mirror}" in out
    assert "5,085 / 1,017 SUBSET" in out and "60,000 / 10,000" in out
    assert out.count("sha256") == 3


def test_data_info_without_data(clean_sources, capsys):
    assert cli.main(["data", "info"]) == 0
    out = capsys.readouterr().out
    assert "not set" in out and out.count("not on this machine") == 3


def test_data_info_reports_corruption(tmp_path, monkeypatch, clean_sources, capsys):
    (tmp_path / "mnist.npz").write_bytes(b"garbage")
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(tmp_path))
    assert cli.main(["data", "info"]) == 1
    captured = capsys.readouterr()
    assert "CORRUPT" in captured.out and "mnist.npz" in captured.err


def test_data_fetch_offline_fails_cleanly(clean_sources, no_network, capsys):
    assert cli.main(["data", "fetch", "mnist"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: MNIST is not on this machine") and "Traceback" not in err


def test_data_fetch_rejects_unknown_name(clean_sources, capsys):
    assert cli.main(["data", "fetch", "imagenet"]) == 2
    assert "name='imagenet'" in capsys.readouterr().err


@pytest.mark.slow
def test_data_export_then_info(monkeypatch, shared_mirror, clean_sources, tmp_path, capsys):
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(shared_mirror))
    out_dir = tmp_path / "lab-mirror"
    assert cli.main(["data", "export", str(out_dir), "mnist"]) == 0
    assert "COURSEKIT_DATA_DIR=" in capsys.readouterr().out
    assert (out_dir / "mnist.npz").stat().st_size == (shared_mirror / "mnist.npz").stat().st_size
    assert not (out_dir / "fashion-mnist").exists()


def test_data_export_with_nothing(clean_sources, tmp_path, capsys):
    assert cli.main(["data", "export", str(tmp_path / "x")]) == 1
    assert "Nothing to export" in capsys.readouterr().err


def test_console_script_is_installed():
    exe = shutil.which("coursekit") or str(
        __import__("pathlib").Path(sys.executable).with_name("coursekit"))
    result = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.startswith("coursekit ")


def test_help_lists_data_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--help"])
    assert exit_.value.code == 0 and "data" in capsys.readouterr().out
