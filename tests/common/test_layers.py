"""The layer rules (README, "Architecture"), as import-linter contracts in .importlinter, and the
API's promise to run without the scorers' heavy packages."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "ultralytics", "dlib", "ai_edge_litert", "tflite_runtime", "onnxruntime", "tensorflow", "insightface",
         "docker")


def test_import_contracts_are_kept():
    proc = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
                           "sys.exit(lint_imports(no_cache=True))"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "Contracts: 0 kept" not in proc.stdout and "BROKEN" not in proc.stdout


def test_api_serves_uploads_without_the_scorers_heavy_packages(tmp_path):
    """Import the app, load a competition of every track and run every track's upload check:
    none of the model runtimes (nor Docker) may be imported on the way."""
    code = f"""
import json, sys
from pathlib import Path
import api.main
from core.competition import parse
from core.tracks import TRACKS, SubmissionRejected, validate_upload
tmp = Path({str(tmp_path)!r})
(tmp / "b").mkdir()
(tmp / "b" / "manifest.json").write_text(json.dumps({{"schema_version": 1, "track": "face", "meta": {{"n_pairs": 1}},
    "files": {{"images/0001.png": "0" * 64, "images/0001_compare.png": "0" * 64}}}}))
phase = {{"name": "p", "opens": "2020-01-01T00:00:00Z", "closes": "2030-01-01T00:00:00Z", "bundle": "b",
          "quota": {{"daily": 1}}}}
parse(json.dumps({{"slug": "s", "title": "t", "tracks": {{t: {{"phases": [phase]}} for t in TRACKS}}}}), tmp)
junk = tmp / "junk.bin"
junk.write_bytes(b"not an upload" * 100)
for track in TRACKS:
    try:
        validate_upload(track, junk, tmp / "b", {{}})
    except SubmissionRejected:
        pass
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
"""
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
