"""The deepfake-attribution track's plug-in (``evaluators.registry``): teams submit a Docker
image (a ``docker save`` tarball) that ranks gallery images by forging method for each probe.

``validate_upload`` checks the tarball in pure Python (no Docker); ``run`` runs the image in the
sandbox on anonymised hidden data and scores its predictions (``run.run_and_score``)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

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

    def sample_strata(self, bundle_dir: Path) -> dict[str, str]:
        """``{probe id: "new" | "known"}`` for every probe: ``new`` when the probe's method has no
        gallery image (the bundle's ``new_methods``), so that both parts of a split hold new and
        known probes and AUC (new against known) and precision@5 (known probes) are defined on
        both. A bundle without new-method probes gives all ``known``. Reads the manifest only.
        Raises BundleError."""
        from .bundle import load_bundle

        bundle = load_bundle(bundle_dir, verify=False)
        return {p: "new" if m in bundle.new_methods else "known" for p, m in bundle.probe_labels.items()}

    def run(self, artifact: Path, bundle_dir: Path, settings: dict[str, Any], *, progress: Progress | None = None,
            workdir: Path | None = None, device: str = "auto",  # noqa: ARG002 - the phase's gpu key decides
            parts: Mapping[str, Sequence[str]] | None = None) -> Result:
        """Run the image in the sandbox and score it (``run.run_and_score``); ``parts`` as there."""
        from .run import run_and_score

        return run_and_score(Path(artifact), Path(bundle_dir), settings, progress=progress, workdir=workdir,
                             parts=parts)


TRACK = DeepfakeTrack()
