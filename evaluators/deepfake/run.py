"""The deepfake track's run on a worker: run a submitted image on hidden data and score it.

``run_and_score(artifact, bundle_dir, settings)`` where ``artifact`` is the team's
``docker save`` tarball and ``bundle_dir`` a deepfake phase bundle (evaluators.deepfake.bundle):

1. check the tarball (pure Python) and load it into the Docker Engine, outside the time limit;
2. copy probe and gallery images under fresh random ids into input/probe and input/gallery
   (no name, path, order, metadata or environment variable reveals a method; labels stay here);
3. run the image in the sandbox (``sandbox.container``) with the phase's limits;
4. validate /output/predictions.jsonl against the anonymised ids, translate them back and
   score with ``evaluators.deepfake`` (the same code ``python -m evaluators score`` runs);
5. remove the image and container, prune the engine's disk when it runs low.

Raises SubmissionTimedOut (timeout), SubmissionRejected (crash, limits, bad output: a user
failure; ``exc.logs`` holds the capped log tail), BundleError (our bundle is broken); Docker
Engine problems surface as docker/requests exceptions (infra failures, retried).
"""
from __future__ import annotations

import logging
import secrets
from contextlib import ExitStack
import shutil
import tempfile
import time
from pathlib import Path
from typing import Mapping, Sequence

import docker

from sandbox.container import CONTAINER_LOGGER, CappedDir, Limits, RunOutcome, bind, run_container
from sandbox.gpus import lease_gpu
from sandbox.image import load_image, prune_if_low, remove_image
from sandbox.settings import sandbox_settings

from ..common.errors import SubmissionRejected, SubmissionTimedOut
from ..common.parts import checked_parts
from ..common.result import Progress, Result, report
from .bundle import DeepfakeBundle, load_bundle
from .predictions import parse_predictions
from .scoring import read_prediction_lines, score_predictions
from .settings import parse_settings

log = logging.getLogger(__name__)


def _bundle_bytes(bundle: DeepfakeBundle) -> int:
    paths = [bundle.probe_path(i) for i in bundle.probe_labels] + [bundle.gallery_path(i) for i in bundle.gallery_labels]
    return sum(-(-p.stat().st_size // 4096) * 4096 for p in paths) + 8192 * 4


def anonymise(bundle: DeepfakeBundle, input_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Copy the images under random ids; return (anon probe id -> bundle id, same for gallery)."""
    maps = []
    for part, ids, path_of, prefix in (("probe", bundle.probe_labels, bundle.probe_path, "p"),
                                        ("gallery", bundle.gallery_labels, bundle.gallery_path, "g")):
        target = input_dir / part
        target.mkdir()
        mapping: dict[str, str] = {}
        order = list(ids)
        secrets.SystemRandom().shuffle(order)
        for original in order:
            anon = prefix + secrets.token_hex(6)
            while anon in mapping:
                anon = prefix + secrets.token_hex(6)
            mapping[anon] = original
            dst = target / f"{anon}.png"
            shutil.copyfile(path_of(original), dst)  # contents only: no times, no owner
            dst.chmod(0o444)
        target.chmod(0o555)
        maps.append(mapping)
    input_dir.chmod(0o555)
    return maps[0], maps[1]


def _verdict(outcome: RunOutcome, limits: Limits) -> None:
    problem = outcome.problem(limits)
    if problem is None:
        return
    exc = (SubmissionTimedOut if outcome.status == "timeout" else SubmissionRejected)(problem)
    exc.logs = outcome.logs  # type: ignore[attr-defined]
    raise exc


def run_and_score(artifact: Path, bundle_dir: Path, settings: dict, *, progress: Progress | None = None,
                  workdir: Path | None = None, client: docker.DockerClient | None = None,
                  run_id: str = "", parts: Mapping[str, Sequence[str]] | None = None) -> Result:
    """See the module docstring. ``run_id`` labels the container (``aisc.run``) for tracing.
    ``parts`` (a split phase: ``{"public": [probe ids], "private": [...]}``, bundle ids) is
    checked before the image loads and scored from the same predictions
    (``scoring.score_predictions``); the container sees no trace of it."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    cfg = parse_settings(settings)
    limits = cfg.limits()
    report(progress, "check", 1)
    bundle = load_bundle(bundle_dir)
    if parts is not None:
        checked_parts(parts, bundle.probe_labels)  # a bad split fails before minutes of container time
    client = client or docker.from_env(timeout=120)
    report(progress, "load", 5)
    image = load_image(client, Path(artifact), max_bytes=cfg.upload_cap(Path(bundle_dir)))
    timings["load"] = image.load_seconds
    scratch_parent = sandbox_settings().tmp or None  # must be visible to dockerd
    scratch = Path(tempfile.mkdtemp(prefix="aisc-deepfake-", dir=scratch_parent))
    inputs = output = None
    try:
        t = time.perf_counter()
        inputs = CappedDir(scratch, _bundle_bytes(bundle) + (1 << 20), prefix="input-", owner=None)
        probe_map, gallery_map = anonymise(bundle, inputs.path)
        output = CappedDir(scratch, int(cfg.output_cap_mb * 2**20))
        timings["prepare"] = time.perf_counter() - t
        report(progress, "run", 20)
        mounts = [bind(inputs.path / "probe", "/input/probe"), bind(inputs.path / "gallery", "/input/gallery")]
        with ExitStack() as stack:
            gpu = stack.enter_context(lease_gpu(wait_s=sandbox_settings().gpu_wait_s)) if limits.gpu else None
            outcome = run_container(client, image.id, mounts, output, limits, run_id=run_id, gpu_device=gpu)
        timings["container"] = outcome.run_seconds
        log.info("container %s after %.1f s (exit %s); its output is in the container section", outcome.status,
                 outcome.run_seconds, outcome.exit_code)
        logging.getLogger(CONTAINER_LOGGER).info("%s", outcome.logs)
        timings.update({f"container_{k}": v for k, v in outcome.timings.items()})
        report(progress, "validate", 85)
        _verdict(outcome, limits)
        t = time.perf_counter()
        try:
            lines = read_prediction_lines(output.path / "predictions.jsonl", output.cap)
            preds = parse_predictions(lines, probe_map, gallery_map, need_novelty=cfg.novelty)
        except SubmissionRejected as e:
            e.logs = outcome.logs  # type: ignore[attr-defined]
            raise
        result = score_predictions(preds.renamed(probe_map, gallery_map), bundle, cfg,
                                   progress=progress, workdir=workdir, parts=parts)
        timings["score"] = time.perf_counter() - t
    finally:
        t = time.perf_counter()
        for capped in (inputs, output):
            if capped is not None:
                capped.close()
        shutil.rmtree(scratch, ignore_errors=True)
        remove_image(client, image)
        prune_if_low(client)
        timings["cleanup"] = time.perf_counter() - t
    end = time.perf_counter()
    timings["total"] = end - t0
    # the platform's own overhead around the container run (image load excluded)
    timings["overhead_before_container"] = outcome.started_at - t0 - image.load_seconds
    timings["overhead_after_container"] = end - outcome.exited_at
    result.timings.update(timings)
    result.details.update({
        "image_digest": image.id, "image_bytes": image.info.size_bytes, "container_status": outcome.status,
        "exit_code": outcome.exit_code, "log_bytes": outcome.log_bytes, "container_log": outcome.logs,
        "log_visible_to_team": cfg.show_logs, "output_bytes": outcome.output_bytes,
        "device": f"gpu:{gpu}" if gpu is not None else "cpu",  # gpu: the host id the run was leased
    })
    return result
