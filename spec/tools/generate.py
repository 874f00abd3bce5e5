"""Build the generated client from a published (or already normalized) spec.

Steps: normalize (unless the input is normalized already), run the pinned
openapi-python-client with spec/generator.yaml into generated/aimlapi_grok_api,
then ship the normalized spec and its JSON Schema export inside the package
(``aimlapi_grok_api/_spec/``) for validators.

Usage:
    python spec/tools/generate.py [SPEC] [--out generated/aimlapi_grok_api]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

# Run as a script, only spec/tools is on sys.path; the tools import each other
# as `spec.tools.*` from the repository root (one way for scripts, tests and mypy).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from spec.tools.export_schemas import export
from spec.tools.normalize import NormalizeError, is_normalized, normalize
from spec.tools.surface import SurfaceError, chat_paths, render

SPEC_DIR = Path(__file__).resolve().parents[1]
ROOT = SPEC_DIR.parent
DEFAULT_SPEC = SPEC_DIR / "build" / "published.json"
DEFAULT_OUT = ROOT / "generated" / "aimlapi_grok_api"
CONFIG = SPEC_DIR / "generator.yaml"


class GenerateError(Exception):
    """The client could not be generated (tool missing, generator failure)."""


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise GenerateError(f"{name} is not on PATH (run `make install`; `make` puts .venv/bin first on PATH)")
    return found


def custom_template_path() -> Path | None:
    """The folder of custom templates named by generator.yaml's `custom_template_path` (relative to it), if any."""

    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8")) or {}
    folder = config.get("custom_template_path")
    if folder is None:
        return None
    path = (CONFIG.parent / str(folder)).resolve()
    if not path.is_dir():
        raise GenerateError(f"custom_template_path {folder!r} in {CONFIG.name} is not a folder ({path})")
    return path


def generate(spec: Path, out: Path) -> None:
    """Generate the client package for `spec` (published or normalized) into `out` (replaced)."""
    doc = json.loads(spec.read_text(encoding="utf-8"))
    chat_paths(doc)  # a file of another endpoint is refused before anything else, naming what it has
    normalized = doc if is_normalized(doc) else normalize(doc)
    generator = tool("openapi-python-client")
    tool("ruff")  # the generator's post hooks (spec/generator.yaml) run it
    with tempfile.TemporaryDirectory() as tmp:
        normalized_path = Path(tmp) / "openapi.json"
        write_json(normalized_path, normalized)
        cmd = [generator, "generate", "--path", str(normalized_path), "--config", str(CONFIG), "--meta", "none"]
        cmd += ["--output-path", str(out), "--overwrite", "--fail-on-warning"]
        templates = custom_template_path()
        if templates is not None:
            cmd += ["--custom-template-path", str(templates)]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise GenerateError(f"openapi-python-client exited with {result.returncode}:\n{result.stdout}{result.stderr}")
    (out / "py.typed").write_text("", encoding="utf-8")
    write_json(out / "_spec" / "openapi.json", normalized)
    write_json(out / "_spec" / "json_schema.json", export(normalized))
    shipped = json.loads((out / "_spec" / "openapi.json").read_text(encoding="utf-8"))  # key order as shipped
    for name, source in render(shipped, model_names(out)).items():
        (out / name).write_text(source, encoding="utf-8")
    print(f"generate: {out} from {spec}")


def model_names(package: Path) -> set[str]:
    """The names the generated ``models`` package exports (its ``__all__``)."""
    text = (package / "models" / "__init__.py").read_text(encoding="utf-8")
    return set(re.findall(r'^    "(\w+)",$', text, re.MULTILINE))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path, nargs="?", default=DEFAULT_SPEC)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not args.spec.is_file():
        print(f"generate: no spec at {args.spec} (run `make spec` first)", file=sys.stderr)
        return 1
    try:
        generate(args.spec, args.out)
    except (GenerateError, NormalizeError, SurfaceError, ValueError) as exc:
        print(f"generate: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
