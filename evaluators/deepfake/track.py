"""The deepfake-attribution track's plug-in (``evaluators.registry``): teams submit a Docker
image (a ``docker save`` tarball) that ranks gallery images by forging method for each probe.

``validate_upload`` checks the tarball in pure Python (no Docker); ``run`` runs the image in the
sandbox on anonymised hidden data and scores its predictions (``run.run_and_score``)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sandbox.image_archive import check_image_archive

from ..common.result import Progress, Result
from .settings import DeepfakeSettings, parse_settings


class DeepfakeTrack:
    name = "deepfake"
    upload_suffixes = (".tar",)  # a `docker save` tarball, uncompressed
    settings_model = DeepfakeSettings

    @property
    def scorer_version(self) -> str:
        from .scoring import SCORER_VERSION

        return SCORER_VERSION

    def validate_upload(self, artifact: Path, bundle_dir: Path, settings: dict[str, Any]) -> None:  # noqa: ARG002
        """Archive shape, one image, architecture, ENTRYPOINT, size cap. Raises SubmissionRejected."""
        check_image_archive(Path(artifact), max_bytes=parse_settings(settings).upload_cap(Path(bundle_dir)))

    def run(self, artifact: Path, bundle_dir: Path, settings: dict[str, Any], *, progress: Progress | None = None,
            workdir: Path | None = None, device: str = "auto") -> Result:  # noqa: ARG002 - the phase's gpu key decides
        from .run import run_and_score

        return run_and_score(Path(artifact), Path(bundle_dir), settings, progress=progress, workdir=workdir)


TRACK = DeepfakeTrack()
