"""The driving track's plug-in (``evaluators.registry``): adversarial patches rendered into
driving scenes and scored against white- and black-box detectors. Cheap to import; the
detectors load inside ``run``."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

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

    def sample_strata(self, bundle_dir: Path) -> dict[str, str]:
        """``{scene name: scene kind}`` (``truck``, ``mannequin``: the kinds ``final_mix`` weighs)
        for every scene of the bundle, so that both parts of a split hold scenes of every kind
        and score every ``kind:`` column. A phase with ``kinds`` scores only those scenes; ``run``
        drops the others from the parts. Reads the manifest and scene lists, no frames. Raises
        BundleError."""
        from .bundle import load_bundle

        return {sc.name: sc.kind for sc in load_bundle(bundle_dir, verify=False).scenes}

    def run(self, artifact: Path, bundle_dir: Path, settings: dict[str, Any], *, progress: Progress | None = None,
            workdir: Path | None = None, device: str = "auto",
            parts: Mapping[str, Sequence[str]] | None = None) -> Result:
        """Render and score the stored patch (``scorer.score``); ``parts`` as there."""
        from .scorer import score

        return score(Path(artifact), Path(bundle_dir), {"device": device, **settings}, progress=progress,
                     workdir=workdir, parts=parts)


TRACK = DrivingTrack()
