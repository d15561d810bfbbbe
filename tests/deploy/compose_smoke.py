"""The compose smoke run, in stages: build the images offline (docker/build_local.sh), bring up
docker-compose.yml under a project name and ports of its own, load the face track's quick demo
competition over HTTP, create a team, submit the face baseline with the team CLI, wait until it
is scored, read the leaderboard over HTTP, and bring the stack down (``down -v``, also on failure).

The scoring worker is either the compose ``worker`` service (``--worker image``: the full run,
which builds the multi-GB worker image; scripts/compose_smoke_full.sh) or a Celery worker from
the virtualenv against the stack's Postgres and Redis (``--worker venv``: what the test suite
runs on every commit, tests/deploy/test_compose_smoke.py).

    .venv/bin/python tests/deploy/compose_smoke.py [--worker venv|image] [--no-build]

Prints each stage's seconds and the image sizes (MB); exits non-zero naming the failed stage.
"""
from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PY = ROOT / ".venv" / "bin" / "python"
# Same path on the host and in the containers (compose mounts AISC_DATA_DIR at its own path).
DATA = ROOT / "var" / "test-cache" / "compose-smoke"
COMPOSE_FILES = ("docker-compose.yml", "tests/deploy/compose.smoke.yml")
API_IMAGE, WORKER_IMAGE = "aisc/api:latest", "aisc/worker:latest"
API_IMAGE_MAX_MB = 600
# What the API image must not carry (the scorers' runtimes, the Docker client).
HEAVY = ("torch", "torchvision", "ultralytics", "cv2", "dlib", "ai_edge_litert", "onnxruntime", "insightface",
         "tensorflow", "docker", "scipy", "sklearn", "skimage", "matplotlib")

def inline_pages(path: Path) -> str:
    """The demo YAML as it may be sent over HTTP: the page texts the demo keeps in ``.md`` files
    written inline, and no starting kit (a file: only ``core.manage load-competition`` reads those)."""
    spec = yaml.safe_load(path.read_text())

    def text(value):
        return (path.parent / value).read_text() if isinstance(value, str) and value.endswith(".md") else value

    for key in ("description", "rules", "terms"):
        if key in spec:
            spec[key] = text(spec[key])
    for track in spec.get("tracks", {}).values():
        track.pop("starting_kit", None)
        if "submit" in track:
            track["submit"] = text(track["submit"])
    return yaml.safe_dump(spec, sort_keys=False)



class StageFailed(AssertionError):
    """A stage of the smoke run failed; the message names it and carries the evidence."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def compose_command() -> list[str]:
    """``docker compose`` where the plugin is installed, else Debian's ``docker-compose``.
    Raises RuntimeError (a set-up failure, never a skip) when neither runs or dockerd is down."""
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        raise RuntimeError("the Docker Engine is not reachable: run scripts/setup.sh (it starts dockerd)")
    for cmd in (["docker", "compose"], ["docker-compose"]):
        with contextlib.suppress(OSError):
            if subprocess.run([*cmd, "version"], capture_output=True).returncode == 0:
                return cmd
    raise RuntimeError("neither `docker compose` nor `docker-compose` runs: run scripts/setup.sh "
                       "(it installs Debian's docker-compose)")


def image_mb(image: str) -> int:
    out = subprocess.run(["docker", "image", "inspect", "-f", "{{.Size}}", image], capture_output=True, text=True)
    return int(out.stdout.strip()) // 1_000_000 if out.returncode == 0 else -1


class Smoke:
    """One smoke run: its stages, timings (seconds) and image sizes (MB)."""

    def __init__(self, worker: str = "venv", log=print):
        if worker not in ("venv", "image"):
            raise ValueError(f"worker must be 'venv' or 'image', not {worker!r}")
        self.worker, self.log = worker, log
        self.compose = compose_command()
        self.project = f"aisc-smoke-{uuid.uuid4().hex[:8]}"
        self.ports = {"api": free_port(), "pg": free_port(), "redis": free_port()}
        self.url = f"http://127.0.0.1:{self.ports['api']}"
        self.times: dict[str, float] = {}
        self.sizes: dict[str, int] = {}
        self._worker: subprocess.Popen | None = None
        self._worker_log = None

    @contextlib.contextmanager
    def stage(self, name: str):
        t0 = time.monotonic()
        self.log(f"[smoke] {name} ...")
        try:
            yield
        except Exception as e:
            raise StageFailed(f"stage '{name}' failed after {time.monotonic() - t0:.0f} s: {e}") from e
        self.times[name] = round(time.monotonic() - t0, 1)
        self.log(f"[smoke] {name}: {self.times[name]} s")

    # -- the stack --------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AISC_")}
        env.update({"BASE_IMAGE": "aisc/base:bookworm", "POSTGRES_IMAGE": "aisc/postgres:15",
                    "REDIS_IMAGE": "aisc/redis:7", "AISC_DATA_DIR": str(DATA),
                    "AISC_API_PORT": str(self.ports["api"]), "AISC_PUBLIC_URL": self.url, "AISC_API_WORKERS": "1",
                    "SMOKE_PG_PORT": str(self.ports["pg"]), "SMOKE_REDIS_PORT": str(self.ports["redis"]),
                    "SMOKE_ROOT": str(ROOT)})
        return env

    def run_compose(self, *args: str, timeout: float = 300) -> str:
        extra = ("tests/deploy/compose.smoke-image.yml",) if self.worker == "image" else ()
        files = [a for f in COMPOSE_FILES + extra for a in ("-f", str(ROOT / f))]
        r = subprocess.run([*self.compose, "-p", self.project, *files, *args], cwd=ROOT, env=self.env(),
                           capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError(f"compose {' '.join(args)} exited {r.returncode}: {r.stderr[-3000:]}")
        return r.stdout

    def logs(self) -> str:
        with contextlib.suppress(Exception):
            return self.run_compose("logs", "--no-color", "--tail", "40", timeout=60)[-6000:]
        return "(no compose logs)"

    def down(self) -> None:
        if self._worker is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._worker.pid, 9)
            self._worker.wait(timeout=30)
            self._worker_log.close()
        with contextlib.suppress(Exception):
            self.run_compose("down", "-v", "--remove-orphans", "-t", "5", timeout=180)

    def leftovers(self) -> list[str]:
        """Containers and volumes of this project still on the engine (none after ``down -v``)."""
        label = f"label=com.docker.compose.project={self.project}"
        out = [subprocess.run(["docker", kind, "ls", "-q", *(["-a"] if kind == "container" else []), "--filter", label],
                              capture_output=True, text=True).stdout.split() for kind in ("container", "volume")]
        return out[0] + out[1]

    # -- the stages -------------------------------------------------------------------------
    def build(self) -> None:
        roles = ["api"] + (["worker"] if self.worker == "image" else [])
        r = subprocess.run(["bash", "docker/build_local.sh", *roles], cwd=ROOT, capture_output=True, text=True,
                           env={**os.environ, "NO_DOTENV": "1"}, timeout=3600)
        self.log(r.stderr.strip())
        assert r.returncode == 0, r.stderr[-4000:]
        for image in (API_IMAGE, "aisc/postgres:15", "aisc/redis:7") + ((WORKER_IMAGE,) if self.worker == "image" else ()):
            self.sizes[image] = image_mb(image)

    def check_api_image(self) -> None:
        """The API image is lean: under API_IMAGE_MAX_MB and none of HEAVY installed."""
        assert 0 < self.sizes[API_IMAGE] < API_IMAGE_MAX_MB, f"{API_IMAGE} is {self.sizes[API_IMAGE]} MB"
        code = f"import importlib.util as u; print([m for m in {HEAVY!r} if u.find_spec(m)])"
        r = subprocess.run(["docker", "run", "--rm", "--network", "none", API_IMAGE, "python3", "-c", code],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0 and r.stdout.strip() == "[]", (r.stdout, r.stderr[-2000:])

    def demo(self) -> tuple[str, dict]:
        """The face track's quick demo competition (cached under DATA/demo between runs)."""
        r = subprocess.run([str(PY), "-m", "authoring.demo_competition", "--out", str(DATA / "demo"), "--quick",
                            "--tracks", "face"], cwd=ROOT, capture_output=True, text=True, timeout=900)
        assert r.returncode == 0, r.stderr[-3000:]
        baselines = json.loads((DATA / "demo" / "baselines.json").read_text())
        return inline_pages(DATA / "demo" / "competition.yaml"), baselines[0]

    def up(self) -> None:
        for d in ("storage", "work", "sandbox"):  # fresh per run; the API runs as uid 10001
            shutil.rmtree(DATA / d, ignore_errors=True)
            (DATA / d).mkdir(parents=True)
            (DATA / d).chmod(0o777)
        services = ["api"] + (["worker"] if self.worker == "image" else [])
        self.run_compose("up", "-d", *services, timeout=600)
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=3) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the API at {self.url} was not healthy within 180 s")
            time.sleep(1)

    def http(self, method: str, path: str, token: str | None = None, body: bytes | None = None,
             ctype: str = "application/json") -> dict:
        req = urllib.request.Request(f"{self.url}{path}", data=body, method=method,
                                     headers={"Content-Type": ctype, **({"Authorization": f"Bearer {token}"} if token else {})})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as e:
            raise AssertionError(f"{method} {path}: HTTP {e.code}: {e.read()[:2000]!r}") from None

    def load(self, competition_yaml: str, team: str) -> tuple[str, int]:
        """An organizer token from the api container, the competition and a team over HTTP.
        Returns (team token, id of the face track's first phase)."""
        admin = self.run_compose("exec", "-T", "api", "python3", "-m", "core.manage", "create-admin",
                                 "--label", "smoke").strip().splitlines()[-1]
        self.http("POST", "/api/v1/admin/competitions", admin, competition_yaml.encode(), "application/yaml")
        token = self.http("POST", "/api/v1/admin/teams", admin, json.dumps({"name": team}).encode())["token"]
        comps = self.http("GET", "/api/v1/competitions", token)
        phase = next(ph for c in comps for ph in c["phases"] if ph["track"] == "face")
        return token, phase["id"]

    def start_venv_worker(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AISC_")}
        env.update({"AISC_DATABASE_URL": f"postgresql+psycopg://aisc:aisc@127.0.0.1:{self.ports['pg']}/aisc",
                    "AISC_BROKER_URL": f"redis://127.0.0.1:{self.ports['redis']}/0",
                    "AISC_STORAGE_URL": str(DATA / "storage"), "AISC_WORKDIR": str(DATA / "work"),
                    "AISC_SANDBOX_TMP": str(DATA / "sandbox"), "AISC_REGRESS_SECONDS": "0"})
        self._worker_log = log = open(DATA / "worker.log", "w")
        self._worker = subprocess.Popen([str(ROOT / ".venv" / "bin" / "celery"), "-A", "workers.celery_app", "worker",
                                         "-Q", "cpu", "-c", "1", "--prefetch-multiplier", "1", "-n",
                                         f"{self.project}@%h", "--loglevel", "INFO"], cwd=ROOT, env=env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def submit(self, token: str, phase_id: int, path: str) -> dict:
        """The team CLI: ``submit PHASE FILE --wait`` (JSON); returns the final status."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AISC_")}
        env.update({"AISC_URL": self.url, "AISC_TOKEN": token})
        r = subprocess.run([str(PY), "-m", "client.cli", "--json", "submit", str(phase_id), path, "--wait"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert "{" in r.stdout, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
        final = json.loads(r.stdout[r.stdout.index("{"):])
        if self.worker == "venv":
            worker_log = (DATA / "worker.log").read_text()[-3000:]
        else:
            worker_log = self.run_compose("logs", "--no-color", "--tail", "60", "worker", timeout=60)[-5000:]
        assert r.returncode == 0 and final["state"] == "scored", (final, worker_log)
        return final

    def run(self, build: bool = True) -> dict:
        """All stages; returns {'stages': {name: s}, 'images': {image: MB}}. Raises StageFailed.
        Runs on one machine take turns (they share DATA and the image tags)."""
        DATA.mkdir(parents=True, exist_ok=True)
        with open(DATA / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            return self._run(build)

    def _run(self, build: bool) -> dict:
        t0 = time.monotonic()
        if build:
            with self.stage("build images"):
                self.build()
        else:
            self.sizes = {i: image_mb(i) for i in (API_IMAGE, WORKER_IMAGE)}
        with self.stage("api image is lean"):
            self.check_api_image()
        with self.stage("demo competition"):
            competition, baseline = self.demo()
        try:
            with self.stage("compose up"):
                self.up()
            team = f"smoke-{uuid.uuid4().hex[:6]}"
            with self.stage("load competition, create team"):
                token, phase_id = self.load(competition, team)
            if self.worker == "venv":
                self.start_venv_worker()
            with self.stage("submit with the CLI, wait until scored"):
                final = self.submit(token, phase_id, baseline["file"])
            with self.stage("leaderboard over HTTP"):
                board = self.http("GET", f"/api/v1/phases/{phase_id}/leaderboard")
                rows = {r["team"]: r["total"] for r in board["rows"]}
                assert rows == {team: final["score"]["total"]}, (rows, final["score"])
        except StageFailed as e:
            raise StageFailed(f"{e}\n--- compose logs ---\n{self.logs()}") from e
        finally:
            with self.stage("compose down -v"):
                self.down()
        self.times["total"] = round(time.monotonic() - t0, 1)
        return {"stages": self.times, "images": self.sizes}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--worker", choices=("venv", "image"), default="venv")
    p.add_argument("--no-build", action="store_true", help="use the images already built")
    args = p.parse_args(argv)
    try:
        out = Smoke(args.worker, log=lambda m: print(m, file=sys.stderr, flush=True)).run(build=not args.no_build)
    except (StageFailed, RuntimeError) as e:
        print(f"[smoke] FAILED: {e}", file=sys.stderr)
        return 1
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
