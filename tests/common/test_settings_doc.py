"""One source per setting: every ``AISC_*`` variable is read by one settings model, the README's
settings table lists exactly those variables, and no other code reads one."""
from __future__ import annotations

import re
from pathlib import Path

from authoring.settings import AuthoringSettings
from client.settings import ClientSettings
from core.settings import Settings
from evaluators.face.settings import FaceEnvironment
from reference_solutions.settings import ReferenceSettings
from sandbox.settings import SandboxSettings
from submission_kit.deepfake.settings import KitSettings

ROOT = Path(__file__).resolve().parents[2]
MODELS = (Settings, FaceEnvironment, SandboxSettings, ClientSettings, AuthoringSettings, ReferenceSettings,
          KitSettings)
PACKAGES = ("api", "core", "workers", "evaluators", "sandbox", "authoring", "client", "reference_solutions",
            "submission_kit", "migrations")
# run inside a team's container, not by the platform: the container contract's AISC_INPUT/AISC_OUTPUT
CONTAINER_SIDE = ("submission_kit/deepfake/template/", "submission_kit/deepfake/baseline/",
                  "reference_solutions/deepfake/app/")
ENV_READ = re.compile(r"""(environ(\.get)?\s*[\[(]|getenv\s*\()\s*["']AISC_""")


def variables() -> set[str]:
    out = set()
    for model in MODELS:
        prefix = model.model_config.get("env_prefix", "")
        out |= {(prefix + name).upper() for name in model.model_fields}
    return out


def readme_table() -> set[str]:
    text = (ROOT / "README.md").read_text()
    start = text.index("| Variable | Default | Meaning |")
    rows = []
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append(line.split("|")[1])
    return {name for cell in rows for name in re.findall(r"`(AISC_[A-Z0-9_]+)`", cell)}


def test_readme_table_lists_exactly_the_settings():
    table, code = readme_table(), variables()
    assert not code - table, f"settings missing from the README table: {sorted(code - table)}"
    assert not table - code, f"README rows that no settings model reads: {sorted(table - code)}"


def test_no_code_reads_an_aisc_variable_outside_the_settings_models():
    offenders = []
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if path.name == "settings.py" or rel.startswith(CONTAINER_SIDE):
                continue
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if ENV_READ.search(line):
                    offenders.append(f"{rel}:{n}: {line.strip()}")
    assert not offenders, "read these through a settings model:\n" + "\n".join(offenders)
