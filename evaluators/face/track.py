"""The face track's plug-in (``evaluators.registry``): adversarial faces scored against black-box
face-recognition models. Cheap to import; the models load inside ``run``."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from ..common.result import Progress, Result
from .settings import FaceSettings, parse_settings


class FaceTrack:
    name = "face"
    upload_suffixes = (".zip",)
    settings_model = FaceSettings

    @property
    def scorer_version(self) -> str:
        from .scoring import SCORER_VERSION

        return SCORER_VERSION

    def validate_upload(self, artifact: Path, bundle_dir: Path, settings: dict[str, Any]) -> None:
        """Whole-archive checks (size, names, traversal, symlinks, bombs, duplicates, corrupt
        members) and every PNG's header (signature, 112x112, 8-bit, RGB): seconds, no models, no
        pixel decoding. A zip in which no image can be scored is refused here, before queueing;
        one with only some bad images is queued and those samples are listed as unsuccessful.
        Raises SubmissionRejected."""
        from .bundle import load_face_bundle
        from .upload import check_headers, read_upload

        cfg = parse_settings(settings, need_model_set=False)
        bundle = load_face_bundle(bundle_dir, verify=False)
        upload = read_upload(Path(artifact), bundle.n_pairs, max_upload_bytes=cfg.cap_for(bundle.n_pairs),
                             max_entry_bytes=cfg.max_entry_bytes)
        check_headers(upload)

    def sample_strata(self, bundle_dir: Path) -> dict[str, str]:
        """``{pair id: ""}`` for every pair of the bundle (``0001``..): one stratum, since every
        pair is scored the same way. Reads only the manifest. Raises BundleError."""
        from .bundle import load_face_bundle

        return {pid: "" for pid in load_face_bundle(bundle_dir, verify=False).ids}

    def run(self, artifact: Path, bundle_dir: Path, settings: dict[str, Any], *, progress: Progress | None = None,
            workdir: Path | None = None, device: str = "auto",
            parts: Mapping[str, Sequence[str]] | None = None) -> Result:
        """Score the stored zip (``scoring.score``); ``parts`` as there."""
        from .scoring import score

        return score(Path(artifact), Path(bundle_dir), {"device": device, **settings}, progress=progress,
                     workdir=workdir, parts=parts)


TRACK = FaceTrack()
