"""Hatch build hook: the wheel and the sdist always carry the generated package (``aimlapi_grok_api``).

A clone holds no ``generated/aimlapi_grok_api`` (it is built, never committed). Before
building either target, this hook makes sure it is there and complete:

- already generated (after ``make install``, or inside an sdist, which ships it with its
  normalized spec under ``_spec/``): nothing to do, and nothing more to install or download;
- otherwise: materialize the pinned spec (``spec/build/published.json``, from
  ``$SPEC_MIRROR`` or the pinned URL, verified against ``spec/lock.json``) unless it is
  there, and generate the package; the generator is then a build requirement
  (``dependencies()``, pinned as in requirements/dev.lock).

A build that cannot get the spec stops with a message saying how to provide it, never
with a wheel that lacks its models.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# The generator and what spec/tools need, pinned as in requirements/dev.lock.
GENERATOR_REQUIREMENTS = ["openapi-python-client==0.29.1", "ruff==0.17.6", "PyYAML==6.0.4", "jsonschema_rs==0.60.3"]
PACKAGE = Path("generated") / "aimlapi_grok_api"
# The files that say generation finished (the generator's output, then what spec/tools/generate.py adds last).
COMPLETE_MARKERS = ("models/__init__.py", "_spec/openapi.json", "_spec/json_schema.json", "_surface.py", "_params.py")


# typing: hatchling's BuildHookInterface is generic over its config type, which it does not export
class GeneratedPackageHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def _complete(self) -> bool:
        package = Path(self.root) / PACKAGE
        return all((package / marker).is_file() for marker in COMPLETE_MARKERS)

    def dependencies(self) -> list[str]:
        return [] if self._complete() else list(GENERATOR_REQUIREMENTS)

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self._complete():
            return
        root = Path(self.root)
        env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
        published = root / "spec" / "build" / "published.json"
        if not published.is_file():
            self._run([sys.executable, "spec/tools/fetch_spec.py"], env, "materialize the pinned spec")
        self._run([sys.executable, "spec/tools/generate.py", str(published)], env, "generate aimlapi_grok_api")
        if not self._complete():
            raise RuntimeError(f"aimlapi-grok build: {PACKAGE} is incomplete after generation")

    def _run(self, cmd: list[str], env: dict[str, str], what: str) -> None:
        done = subprocess.run(cmd, cwd=self.root, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise RuntimeError(
                f"aimlapi-grok build: cannot {what}, so the wheel would lack its generated models.\n"
                f"{done.stdout}{done.stderr}\n"
                "Provide the spec: run `make spec` (or set SPEC_MIRROR=<dir with the mirrored spec files>), "
                "build with network access to the pinned URL in spec/lock.json, or build from an sdist."
            )
