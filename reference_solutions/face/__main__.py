"""``python -m reference_solutions.face deep-dream|meta-attack --bundle DIR --out submission.zip``"""
from __future__ import annotations

import argparse
import sys
from dataclasses import fields

from evaluators.common.device import DeviceUnavailable

from .deep_dream import DeepDreamConfig
from .generate import DEFAULT_MODELS, generate_submission
from .surrogates import available


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reference_solutions.face")
    sub = ap.add_subparsers(dest="command", required=True)
    for command, help_text in (("deep-dream", "the Deep Dream ensemble attack on a bundle's public pairs"),
                               ("meta-attack", "the TianQuan & LianYi meta-train/meta-test attack")):
        _add_attack(sub.add_parser(command, help=help_text))
    args = ap.parse_args(argv)
    method = args.command.replace("-", "_")
    cfg = DeepDreamConfig(**{f.name: getattr(args, f.name) for f in fields(DeepDreamConfig)})

    def progress(stage: str, pct: float) -> None:
        if args.progress:
            print(f"[{method}] {stage}: {pct:.0f}%", file=sys.stderr, flush=True)

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    try:
        report = generate_submission(args.bundle, args.out, config=cfg, models=models, threads=args.threads,
                                     progress=progress, method=method, device=args.device)
    except DeviceUnavailable as e:
        print(f"{method}: {e}", file=sys.stderr)
        return 2
    print(f"{method}: wrote {args.out}: {report['pairs']} pairs in {report['seconds']} s on {report['device']}, "
          f"surrogates seen: {', '.join(models)}")
    return 0


def _add_attack(dd: argparse.ArgumentParser) -> None:
    dd.add_argument("--bundle", required=True, help="face bundle directory (only its public pairs are read)")
    dd.add_argument("--out", required=True, help="submission zip to write (plus .json report and .png preview)")
    dd.add_argument("--models", default=",".join(DEFAULT_MODELS), help=f"surrogates, from: {', '.join(available())}")
    dd.add_argument("--threads", type=int, default=2)
    dd.add_argument("--device", default="cpu", help="auto | cpu | cuda | cuda:N (default cpu, as the regression runs)")
    dd.add_argument("--progress", action="store_true")
    for f in fields(DeepDreamConfig):
        dd.add_argument(f"--{f.name.replace('_', '-')}", type=type(f.default), default=f.default)


if __name__ == "__main__":
    sys.exit(main())
