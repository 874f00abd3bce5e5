"""Materialize the pinned published OpenAPI file and verify its sha256.

The lock file (spec/lock.json) names the upstream repository, path, commit,
raw URL and sha256. The file is taken from ``$SPEC_MIRROR`` when that is set
(a directory laid out as ``<mirror>/<file stem>/<commit>.json``), otherwise
it is downloaded from the pinned URL. Either way the sha256 must match.

Usage:
    python spec/tools/fetch_spec.py [--lock spec/lock.json] [--out PATH]
    python spec/tools/fetch_spec.py --repin COMMIT [--lock ...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

DEFAULT_LOCK = Path(__file__).resolve().parents[1] / "lock.json"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "build" / "published.json"
RAW_URL = "https://raw.githubusercontent.com/{owner_repo}/{commit}/{path}"


class SpecFetchError(Exception):
    """The pinned spec could not be materialized or did not verify."""


def load_lock(lock_path: Path) -> dict[str, Any]:
    lock: dict[str, Any] = json.loads(lock_path.read_text(encoding="utf-8"))
    for key in ("repository", "path", "commit", "sha256", "url"):
        if not isinstance(lock.get(key), str) or not lock[key]:
            raise SpecFetchError(f"{lock_path}: field {key!r} is missing or empty")
    return lock


def pinned_url(lock: dict[str, Any], commit: str) -> str:
    owner_repo = lock["repository"].removeprefix("github.com/")
    return RAW_URL.format(owner_repo=owner_repo, commit=commit, path=lock["path"])


def mirror_file(mirror: Path, lock: dict[str, Any], commit: str) -> Path:
    return mirror / Path(lock["path"]).stem / f"{commit}.json"


def read_source(lock: dict[str, Any], commit: str, url: str) -> tuple[bytes, str]:
    """Return the file's bytes and a description of where they came from."""
    mirror = os.environ.get("SPEC_MIRROR")
    if mirror:
        path = mirror_file(Path(mirror), lock, commit)
        if not path.is_file():
            raise SpecFetchError(
                f"SPEC_MIRROR={mirror} has no file for commit {commit} (looked for {path})"
            )
        return path.read_bytes(), f"mirror file {path}"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (pinned https URL)
            return bytes(response.read()), f"download {url}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise SpecFetchError(
            f"could not download {url}: {exc}\n"
            "No network? Point SPEC_MIRROR at a directory laid out like the project's "
            "spec mirror (<dir>/<file stem>/<commit>.json), e.g.\n"
            "    SPEC_MIRROR=../shared/spec make spec"
        ) from exc


def materialize(lock_path: Path, out: Path) -> Path:
    lock = load_lock(lock_path)
    data, source = read_source(lock, lock["commit"], lock["url"])
    actual = hashlib.sha256(data).hexdigest()
    if actual != lock["sha256"]:
        raise SpecFetchError(
            "sha256 mismatch, refusing the spec\n"
            f"  source:   {source}\n"
            f"  expected: {lock['sha256']} (from {lock_path.name})\n"
            f"  actual:   {actual}"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"spec: {out} verified ({actual[:12]}..., commit {lock['commit'][:8]}, {source})")
    return out


def repin(lock_path: Path, commit: str) -> None:
    """Point the lock at another upstream commit, recording the file's sha256."""
    lock = load_lock(lock_path)
    url = pinned_url(lock, commit)
    data, source = read_source(lock, commit, url)
    json.loads(data)  # refuse anything that is not JSON before pinning it
    lock.update(commit=commit, url=url, sha256=hashlib.sha256(data).hexdigest())
    lock_path.write_text(json.dumps(lock, indent=2) + "\n", encoding="utf-8")
    print(f"spec: lock re-pinned to {commit} from {source}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", type=Path, default=DEFAULT_LOCK)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--repin", metavar="COMMIT")
    args = parser.parse_args(argv)
    try:
        if args.repin:
            repin(args.lock, args.repin)
        materialize(args.lock, args.out)
    except SpecFetchError as exc:
        print(f"spec: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
