"""Start the API or a Celery worker for the tests, optionally with the fake scorer.

  python tests/platform/platform_launch.py api PORT [--fake]
  python tests/platform/platform_launch.py worker [--fake] [--delay S] -- <celery worker args>
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(1, str(Path(__file__).resolve().parents[2]))  # the repository root


def fake_app():
    """The API with the tests' tiny scorer (a factory, so that every uvicorn worker process
    installs it)."""
    import platform_fake_scorer

    platform_fake_scorer.install()
    from api.main import app

    return app


def real_app():
    from api.main import app

    return app


def main(argv: list[str]) -> None:
    what, rest = argv[0], argv[1:]
    extra = rest[rest.index("--") + 1:] if "--" in rest else []
    opts = rest[:rest.index("--")] if "--" in rest else rest
    if "--fake" in opts:
        import platform_fake_scorer

        platform_fake_scorer.install()
    if what == "api":
        import uvicorn

        workers = int(opts[opts.index("--workers") + 1]) if "--workers" in opts else 1
        target = "platform_launch:fake_app" if "--fake" in opts else "platform_launch:real_app"
        uvicorn.run(target, factory=True, host="127.0.0.1", port=int(opts[0]), log_level="warning",
                    workers=workers)
        return
    if "--delay" in opts:  # hold each run in 'running' long enough to kill the worker mid-run
        from evaluators.registry import TRACKS, get_track, install

        delay = float(opts[opts.index("--delay") + 1])

        class Delayed:
            def __init__(self, real):
                self.real = real

            def __getattr__(self, name):
                return getattr(self.real, name)

            def run(self, artifact, bundle_dir, settings, *, progress, workdir, device="auto"):
                for i in range(int(delay * 10)):
                    progress("warmup", i / (delay * 10))
                    time.sleep(0.1)
                return self.real.run(artifact, bundle_dir, settings, progress=progress, workdir=workdir,
                                     device=device)

        for track in TRACKS:
            install(track, Delayed(get_track(track)))
    from workers.celery_app import app

    app.worker_main(["worker", *extra])


if __name__ == "__main__":
    main(sys.argv[1:])
