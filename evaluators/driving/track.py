"""The driving track's plug-in (``evaluators.registry``): adversarial patches rendered into
driving scenes and scored against white- and black-box detectors. Cheap to import; the
detectors load inside ``run``."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..common.result import Progress, Result
from .settings import DrivingSettings, parse_settings


class DrivingTrack:
    name = "driving"
    upload_suffixes = (".png",)
    settings_model = DrivingSettings

    @property
    def scorer_version(self) -> str:
        from .scorer import SCORER_VERSION

        return SCORER_VERSION

    def validate_upload(self, artifact: Path, bundle_dir: Path, settings: dict[str, Any]) -> None:  # noqa: ARG002
        """Cheap checks before queueing: headers, decoding, binary non-empty mask (no models).
        Raises SubmissionRejected."""
        from .submission import load_patch

        load_patch(Path(artifact), max_bytes=parse_settings(settings).max_upload_bytes)

    def run(self, artifact: Path, bundle_dir: Path, settings: dict[str, Any], *, progress: Progress | None = None,
            workdir: Path | None = None, device: str = "auto") -> Result:
        from .scorer import score

        return score(Path(artifact), Path(bundle_dir), {"device": device, **settings}, progress=progress,
                     workdir=workdir)


TRACK = DrivingTrack()
