"""Run your image on the public sample exactly as the worker will, and validate its output.

    python -m submission_kit.deepfake.selfcheck image.tar            # a `docker save` tarball
    python -m submission_kit.deepfake.selfcheck --tag my-team/df:1   # saves the tag first
Options: --sample DIR (a deepfake bundle; default: var/deepfake/selfcheck-data/public_sample, built
with `python -m authoring build-deepfake-data --out var/deepfake/selfcheck-data --quick`),
--time-limit S, --memory-mb MB, --novelty (require novel_prob as in the final phase).
Exit status 0 when the run is valid; the message says what to fix otherwise.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from evaluators.common.errors import SubmissionRejected

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "var" / "deepfake" / "selfcheck-data"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m submission_kit.deepfake.selfcheck", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tarball", nargs="?", type=Path)
    ap.add_argument("--tag", help="a local image tag to save and check instead of a tarball")
    ap.add_argument("--sample", type=Path, help="public sample bundle directory")
    ap.add_argument("--time-limit", type=float, default=600)
    ap.add_argument("--memory-mb", type=int, default=4096)
    ap.add_argument("--novelty", action="store_true")
    args = ap.parse_args(argv)
    if (args.tarball is None) == (args.tag is None):
        ap.error("give either a tarball or --tag")
    import docker
    from evaluators.deepfake.run import run_and_score

    sample = args.sample or DEFAULT_DATA / "public_sample"
    if not (Path(sample) / "manifest.json").is_file():
        print(f"FAILED: no public sample at {sample}: pass the organizers' sample with --sample DIR, or build the "
              f"offline one with `python -m authoring build-deepfake-data --out {DEFAULT_DATA} --quick`")
        return 2
    settings = {"phase_kind": "final" if args.novelty else "preliminary", "novelty": args.novelty,
                "time_limit_s": args.time_limit, "memory_mb": args.memory_mb}
    with tempfile.TemporaryDirectory(prefix="aisc-selfcheck-") as tmp:
        tarball = args.tarball
        if args.tag:
            from .build import save_image

            tarball = save_image(docker.from_env(timeout=300), args.tag, Path(tmp) / "image.tar")
        try:
            result = run_and_score(tarball, sample, settings,
                                   progress=lambda s, p: print(f"[{p:5.1f}%] {s}", file=sys.stderr))
        except SubmissionRejected as e:
            print(f"FAILED: {e}")
            logs = getattr(e, "logs", "")
            if logs:
                print("--- container log (tail) ---\n" + logs)
            return 1
    print(result.details["container_log"].rstrip())
    for message in result.messages:
        print(f"note: {message}")
    print(f"OK: valid predictions; precision@5 on the public sample = {result.columns['precision@5']:.4f} "
          f"(container ran {result.timings['container']:.1f} s, image {result.details['image_digest'][:19]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
