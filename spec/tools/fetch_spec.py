"""Materialize the pinned published OpenAPI file and verify its sha256.

The lock file (spec/lock.json) names the upstream repository, path, commit,
raw URL and sha256. The file is taken from ``$SPEC_MIRROR`` when that is set
(a directory laid out as ``<mirror>/<file stem>/<commit>.json``), otherwise
it is downloaded from the pinned URL. Either way the sha256 must match.

``--repin COMMIT`` points the lock at another upstream commit first (the full
sha; with ``$SPEC_MIRROR`` a unique prefix of a mirrored commit is enough),
records that file's sha256 and then materializes it. Nothing is written when the
file cannot be read or is not JSON.

Usage:
    python spec/tools/fetch_spec.py [--lock spec/lock.json] [--out PATH]
    python spec/tools/fetch_spec.py --repin COMMIT [--lock ...] [--out PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

DEFAULT_LOCK = Path(__file__).resolve().parents[1] / "lock.json"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "build" / "published.json"
RAW_URL = "https://raw.githubusercontent.com/{owner_repo}/{commit}/{path}"
FULL_SHA = re.compile(r"[0-9a-f]{40}")
MIRROR_LAYOUT = "<dir>/<file stem>/<commit>.json"


class SpecFetchError(Exception):
    """The pinned spec could not be materialized or did not verify."""


def load_lock(lock_path: Path) -> dict[str, Any]:
    try:
        lock: dict[str, Any] = json.loads(lock_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SpecFetchError(f"cannot read the lock file {lock_path}: {exc}") from exc
    if not isinstance(lock, dict):
        raise SpecFetchError(f"{lock_path}: expected a JSON object")
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
        if not Path(mirror).is_dir():
            raise SpecFetchError(f"SPEC_MIRROR={mirror} is not a directory (a mirror is laid out as {MIRROR_LAYOUT})")
        path = mirror_file(Path(mirror), lock, commit)
        if not path.is_file():
            raise SpecFetchError(
                f"SPEC_MIRROR={mirror} has no file for commit {commit} (looked for {path}); "
                f"add it there, or unset SPEC_MIRROR to download {url}"
            )
        return path.read_bytes(), f"mirror file {path}"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return bytes(response.read()), f"download {url}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise SpecFetchError(
            f"could not download {url}: {exc}\n"
            "No network? Point SPEC_MIRROR at a directory laid out like the project's "
            f"spec mirror ({MIRROR_LAYOUT}), e.g.\n"
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


def full_commit(lock: dict[str, Any], commit: str) -> str:
    """The full 40-hex sha for `commit`; a prefix is resolved only against the mirror."""
    commit = commit.strip().lower()
    if FULL_SHA.fullmatch(commit):
        return commit
    mirror = os.environ.get("SPEC_MIRROR")
    if re.fullmatch(r"[0-9a-f]{4,39}", commit) and mirror:
        folder = mirror_file(Path(mirror), lock, commit).parent
        found = sorted(path.stem for path in folder.glob(f"{commit}*.json") if FULL_SHA.fullmatch(path.stem))
        if len(found) == 1:
            return found[0]
        raise SpecFetchError(
            f"commit prefix {commit!r} matches {len(found)} mirrored files in {folder} "
            f"({', '.join(found) or 'none'}); give the full 40-hex sha"
        )
    raise SpecFetchError(f"commit {commit!r} is not a full 40-hex sha (a prefix is resolved only with SPEC_MIRROR)")


def repin(lock_path: Path, commit: str) -> None:
    """Point the lock at another upstream commit, recording the file's sha256."""
    lock = load_lock(lock_path)
    commit = full_commit(lock, commit)
    url = pinned_url(lock, commit)
    data, source = read_source(lock, commit, url)
    try:
        json.loads(data)  # refuse anything that is not JSON before pinning it
    except ValueError as exc:
        raise SpecFetchError(f"{source} is not JSON ({exc}); the lock is unchanged") from exc
    previous = lock["commit"]
    lock.update(commit=commit, url=url, sha256=hashlib.sha256(data).hexdigest())
    lock_path.write_text(json.dumps(lock, indent=2) + "\n", encoding="utf-8")
    print(f"spec: lock re-pinned from {previous} to {commit} ({source})")


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
