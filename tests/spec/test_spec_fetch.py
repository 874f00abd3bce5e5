"""spec/tools/fetch_spec.py: the lock is verified byte for byte, re-pinned offline, and errors say what to do."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import urllib.error
from collections.abc import Callable
from pathlib import Path

import pytest

from spec.tools import fetch_spec

FETCH = Path(__file__).resolve().parents[2] / "spec" / "tools" / "fetch_spec.py"
# From the mirror's README (the upstream files' sha256).
MIDDLE_SHA256 = "22cf2bac42090e509abf94b16e816890e4668ba57965ca5bbb6d8225897f1dca"


def run_fetch(mirror: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SPEC_MIRROR": str(mirror)}
    return subprocess.run([sys.executable, str(FETCH), *args], capture_output=True, text=True, env=env, check=False)


def copy_mirror(mirrored: Callable[[str], Path], tmp_path: Path, version: str) -> Path:
    """A private mirror holding one version, laid out like the real one."""
    source = mirrored(version)
    target = tmp_path / "mirror" / source.parent.name
    target.mkdir(parents=True)
    shutil.copyfile(source, target / source.name)
    return tmp_path / "mirror"


def test_pinned_spec_materializes_from_the_mirror(
    mirrored: Callable[[str], Path], lock_path: Path, tmp_path: Path
) -> None:
    """The locked commit's mirrored file verifies and is written byte for byte."""
    mirror = copy_mirror(mirrored, tmp_path, "newest")
    out = tmp_path / "published.json"
    result = run_fetch(mirror, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == mirrored("newest").read_bytes()
    assert hashlib.sha256(out.read_bytes()).hexdigest() == json.loads(lock_path.read_text())["sha256"]


def test_tampered_spec_is_refused_with_both_hashes_and_source(
    mirrored: Callable[[str], Path], lock_path: Path, tmp_path: Path
) -> None:
    """One changed byte in the mirrored file: refused, nothing written, both hashes and the source shown."""
    mirror = copy_mirror(mirrored, tmp_path, "newest")
    tampered = next(mirror.glob("*/*.json"))
    data = bytearray(tampered.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    out = tmp_path / "published.json"
    result = run_fetch(mirror, "--out", str(out))
    assert result.returncode == 1
    assert "sha256 mismatch" in result.stderr
    assert json.loads(lock_path.read_text())["sha256"] in result.stderr
    assert hashlib.sha256(bytes(data)).hexdigest() in result.stderr
    assert str(tampered) in result.stderr
    assert not out.exists()


def test_missing_mirror_file_names_spec_mirror(lock_path: Path, stem: str, tmp_path: Path) -> None:
    """A mirror without the pinned commit's file: the error names SPEC_MIRROR, the commit and the looked-up path."""
    (tmp_path / "mirror").mkdir()
    result = run_fetch(tmp_path / "mirror", "--out", str(tmp_path / "published.json"))
    assert result.returncode == 1
    commit = json.loads(lock_path.read_text())["commit"]
    assert f"SPEC_MIRROR={tmp_path / 'mirror'} has no file for commit {commit}" in result.stderr
    assert f"{stem}/{commit}.json" in result.stderr


def test_mirror_that_is_not_a_directory_is_named(tmp_path: Path) -> None:
    """SPEC_MIRROR pointing at nothing says so and shows the expected layout."""
    result = run_fetch(tmp_path / "absent", "--out", str(tmp_path / "published.json"))
    assert result.returncode == 1
    assert f"SPEC_MIRROR={tmp_path / 'absent'} is not a directory" in result.stderr
    assert "<commit>.json" in result.stderr


def test_no_network_and_no_mirror_explains_spec_mirror(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without SPEC_MIRROR the download is tried (stubbed to fail here); the error says how to set SPEC_MIRROR."""
    monkeypatch.delenv("SPEC_MIRROR", raising=False)
    attempts: list[object] = []

    def offline(url: object, *args: object, **kwargs: object) -> None:
        attempts.append(url)
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setattr("urllib.request.urlopen", offline)
    assert fetch_spec.main(["--out", str(tmp_path / "published.json")]) == 1
    err = capsys.readouterr().err
    assert len(attempts) == 1
    assert "could not download https://raw.githubusercontent.com/" in err
    assert "SPEC_MIRROR=../shared/spec make spec" in err
    assert not (tmp_path / "published.json").exists()


def test_repin_to_another_mirrored_commit_offline(
    mirror: Path, lock_path: Path, versions: dict[str, str], tmp_path: Path
) -> None:
    """--repin rewrites commit, URL and sha256 in the lock and materializes that commit's file."""
    lock = tmp_path / "lock.json"
    shutil.copyfile(lock_path, lock)
    out = tmp_path / "published.json"
    result = run_fetch(mirror, "--lock", str(lock), "--out", str(out), "--repin", versions["middle"])
    assert result.returncode == 0, result.stderr
    pinned = json.loads(lock.read_text())
    assert pinned["commit"] == versions["middle"]
    assert pinned["sha256"] == MIDDLE_SHA256
    assert pinned["url"].endswith(f"/{versions['middle']}/{pinned['path']}")
    assert hashlib.sha256(out.read_bytes()).hexdigest() == MIDDLE_SHA256
    previous = json.loads(lock_path.read_text())["commit"]
    assert f"re-pinned from {previous} to {versions['middle']}" in result.stdout


def test_repin_resolves_a_unique_prefix_in_the_mirror(
    mirror: Path, lock_path: Path, versions: dict[str, str], tmp_path: Path
) -> None:
    """With SPEC_MIRROR, a short sha that matches one mirrored file is expanded to the full sha."""
    lock = tmp_path / "lock.json"
    shutil.copyfile(lock_path, lock)
    prefix = versions["middle"][:8]
    result = run_fetch(mirror, "--lock", str(lock), "--out", str(tmp_path / "p.json"), "--repin", prefix)
    assert result.returncode == 0, result.stderr
    assert json.loads(lock.read_text())["commit"] == versions["middle"]


@pytest.mark.parametrize(
    ("commit", "message"),
    [
        ("f" * 40, "has no file for commit " + "f" * 40),
        ("ffff", "matches 0 mirrored files"),
        ("not-a-sha", "is not a full 40-hex sha"),
    ],
)
def test_repin_failure_leaves_the_lock_unchanged(
    mirror: Path, lock_path: Path, tmp_path: Path, commit: str, message: str
) -> None:
    """An unknown commit, an unmatched prefix or a non-sha is refused with a reason; the lock is not touched."""
    lock = tmp_path / "lock.json"
    shutil.copyfile(lock_path, lock)
    result = run_fetch(mirror, "--lock", str(lock), "--out", str(tmp_path / "p.json"), "--repin", commit)
    assert result.returncode == 1
    assert message in result.stderr
    assert lock.read_bytes() == lock_path.read_bytes()
    assert not (tmp_path / "p.json").exists()


def test_repin_refuses_a_file_that_is_not_json(lock_path: Path, stem: str, tmp_path: Path) -> None:
    """A mirrored file that is not JSON is not pinned."""
    folder = tmp_path / "mirror" / stem
    folder.mkdir(parents=True)
    (folder / f"{'a' * 40}.json").write_text("<html>not json</html>")
    lock = tmp_path / "lock.json"
    shutil.copyfile(lock_path, lock)
    result = run_fetch(tmp_path / "mirror", "--lock", str(lock), "--out", str(tmp_path / "p.json"), "--repin", "a" * 40)
    assert result.returncode == 1
    assert "is not JSON" in result.stderr
    assert lock.read_bytes() == lock_path.read_bytes()
