"""The built package is whole: a wheel and an sdist from a fresh copy carry the generated package, a wheel
from that sdist needs no spec, and the wheel works in a clean venv without dev dependencies."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ROOT / "spec" / "build" / "published.json"
GENERATED_FILES = (
    "aimlapi_grok_api/_surface.py",
    "aimlapi_grok_api/_params.py",
    "aimlapi_grok_api/_spec/openapi.json",
    "aimlapi_grok_api/models/",
)
TIMEOUT = 600


def fresh_copy(target: Path) -> Path:
    """The files a clone has (tracked and not ignored): no generated package, no materialized spec."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    assert not (target / "generated" / "aimlapi_grok_api").exists()
    return target


def build(source: Path, dist: Path, target: str | None, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m hatchling build` (both targets when `target` is None), without build isolation."""
    cmd = [sys.executable, "-m", "hatchling", "build", *(["-t", target] if target else []), "-d", str(dist)]
    return subprocess.run(cmd, cwd=source, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)


def tool_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "SPEC_MIRROR"}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return {**env, **extra}


@pytest.mark.slow
def test_wheel_and_sdist_from_a_clone_carry_the_generated_package_and_work_in_a_clean_venv(tmp_path: Path) -> None:
    """`make spec`-materialized clone -> sdist + wheel with aimlapi_grok_api; wheel from the sdist without spec or
    generator; that wheel installed with [testing] into a clean venv imports and runs an offline chat."""
    if not PUBLISHED.is_file():
        pytest.skip("no materialized spec (run `make spec`)")
    clone = fresh_copy(tmp_path / "clone")
    (clone / "spec" / "build").mkdir(parents=True)
    shutil.copy2(PUBLISHED, clone / "spec" / "build" / "published.json")  # what `make spec` leaves
    done = build(clone, tmp_path / "dist", None, tool_env())
    assert done.returncode == 0, done.stderr[-4000:]
    with zipfile.ZipFile(next((tmp_path / "dist").glob("*.whl"))) as archive:
        wheel_names = archive.namelist()
    sdist = next((tmp_path / "dist").glob("*.tar.gz"))
    with tarfile.open(sdist) as archive:
        sdist_names = archive.getnames()
        archive.extractall(tmp_path / "unpacked", filter="data")
    for expected in GENERATED_FILES:
        assert any(name.startswith(expected) for name in wheel_names), expected
        assert any(f"/generated/{expected}" in name for name in sdist_names), expected
    assert not [name for name in sdist_names if "/spec/build/" in name]

    unpacked = next((tmp_path / "unpacked").iterdir())
    no_tools = {key: value for key, value in tool_env().items() if key != "PATH"} | {"PATH": os.defpath}
    done = build(unpacked, tmp_path / "from_sdist", "wheel", no_tools)  # no spec, no generator on PATH
    assert done.returncode == 0, done.stderr[-4000:]
    wheel = next((tmp_path / "from_sdist").glob("*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        assert "aimlapi_grok_api/_surface.py" in archive.namelist()

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=TIMEOUT)
    python, cli = venv / "bin" / "python", venv / "bin" / "aimlapi-grok"
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"{wheel}[testing]"]
    done = subprocess.run(install, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    probe = (
        "import importlib.util, aimlapi_grok, aimlapi_grok.types as t\n"
        "print(t.ChatCompletion.__module__, aimlapi_grok.__file__)\n"
        "print([m for m in ('pytest', 'hypothesis', 'openapi_python_client', 'mypy') if importlib.util.find_spec(m)])"
    )
    done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    module, location = done.stdout.splitlines()[0].split()
    assert module == "aimlapi_grok_api.models.chat_completion"
    assert Path(location).is_relative_to(venv)
    assert done.stdout.splitlines()[1] == "[]"  # no dev dependency came along
    chat = [str(cli), "chat", "--offline", "Say hi."]
    done = subprocess.run(chat, capture_output=True, text=True, timeout=TIMEOUT, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-4000:]
    assert "Say hi." in done.stdout
    assert "inference id" in done.stderr


def test_a_build_without_a_spec_stops_with_a_clear_message(tmp_path: Path) -> None:
    """No materialized spec and a mirror without it: the build fails naming the cause and the fix; no wheel."""
    clone = fresh_copy(tmp_path / "clone")
    empty_mirror = tmp_path / "mirror"
    empty_mirror.mkdir()
    done = build(clone, tmp_path / "dist", "wheel", tool_env(SPEC_MIRROR=str(empty_mirror)))
    assert done.returncode != 0
    assert "cannot materialize the pinned spec" in done.stderr
    assert "make spec" in done.stderr
    assert not list((tmp_path / "dist").glob("*.whl"))
