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
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from export_schemas import export  # noqa: E402
from normalize import normalize  # noqa: E402

SPEC_DIR = Path(__file__).resolve().parents[1]
ROOT = SPEC_DIR.parent
DEFAULT_SPEC = SPEC_DIR / "build" / "published.json"
DEFAULT_OUT = ROOT / "generated" / "aimlapi_grok_api"
CONFIG = SPEC_DIR / "generator.yaml"


def is_normalized(doc: dict[str, object]) -> bool:
    components = doc.get("components")
    return isinstance(components, dict) and "ChatCompletion" in components.get("schemas", {})


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def generate(spec: Path, out: Path) -> None:
    doc = json.loads(spec.read_text(encoding="utf-8"))
    normalized = doc if is_normalized(doc) else normalize(doc)
    with tempfile.TemporaryDirectory() as tmp:
        normalized_path = Path(tmp) / "openapi.json"
        write_json(normalized_path, normalized)
        generator = shutil.which("openapi-python-client")
        if generator is None:
            raise SystemExit("generate: openapi-python-client is not on PATH (run `make install`)")
        cmd = [generator, "generate", "--path", str(normalized_path), "--config", str(CONFIG),
               "--meta", "none", "--output-path", str(out), "--overwrite", "--fail-on-warning"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    (out / "py.typed").write_text("", encoding="utf-8")
    write_json(out / "_spec" / "openapi.json", normalized)
    write_json(out / "_spec" / "json_schema.json", export(normalized))
    print(f"generate: {out} from {spec}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path, nargs="?", default=DEFAULT_SPEC)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not args.spec.is_file():
        print(f"generate: no spec at {args.spec} (run `make spec` first)", file=sys.stderr)
        return 1
    generate(args.spec, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
