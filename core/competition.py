"""Competition YAML: schema, validation with clear errors, and load-or-update.

Example (paths are relative to the YAML file)::

    slug: aisc-demo
    title: AISC 2022 demo
    tracks:
      face:
        phases:
          - name: preliminary
            opens: 2026-01-01T00:00:00Z
            closes: 2026-12-31T00:00:00Z
            bundle: bundles/face-prelim          # directory with manifest.json
            scoring: {model_set: models/face.yaml}
            quota: {daily: 5, total: 100}
            ranking: best                        # best | last
            leaderboard: public                  # public | private
            show_logs: true
            queue: cpu                           # cpu | gpu
            limits: {soft_seconds: 900, hard_seconds: 1200}   # max_upload_mb may lower the cap
            split: {private_fraction: 0.5, seed: 7}   # optional public/private split (core.phase_split)
    registration: {policy: open, terms: "..."}   # open | approval | invite_only (default open)

The pages' texts are optional Markdown, inline or as a ``.md`` file next to the YAML::

    description: docs/overview.md   # competition: description, rules, data terms
    rules: |
      One account per team; ...
    terms: docs/terms.md
    tracks:
      face:
        submit: docs/face-submit.md   # what to submit: exact format (the limits are the phases')
        starting_kit: kits/face-example.zip   # a file teams download from the track page
        phases: [...]

``scoring`` is validated by the track's settings model (``evaluators.registry``): an unknown key
or a wrong type is a load error with its place. The upload cap comes from the track's settings
(``upload_cap``); ``limits.max_upload_mb`` may only lower it.
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import phase_split
from .errors import ErrorKind, PlatformError
from .models import Competition, Phase, Submission
from .phase_split import SplitSpec
from .storage import get_storage
from .timeutil import to_utc_naive
from .tracks import TRACKS, BundleError, SettingsError, parse_settings

MiB = 1024 * 1024


class CompetitionError(PlatformError, ValueError):
    """The YAML is invalid; the message lists every problem found."""
    kind = ErrorKind.REJECTED


class Quota(BaseModel):
    model_config = ConfigDict(extra="forbid")
    daily: int = Field(ge=1)
    total: Optional[int] = Field(default=None, ge=1)


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid")
    soft_seconds: int = Field(default=1800, ge=1)
    hard_seconds: int = Field(default=2100, ge=1)
    max_upload_mb: Optional[float] = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _order(self):
        if self.hard_seconds <= self.soft_seconds:
            raise ValueError(f"hard_seconds ({self.hard_seconds}) must be greater than soft_seconds ({self.soft_seconds})")
        return self


class PhaseSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    opens: datetime
    closes: datetime
    bundle: str
    scoring: dict[str, Any] = Field(default_factory=dict)
    quota: Quota
    ranking: Literal["best", "last"] = "best"
    leaderboard: Literal["public", "private"] = "public"
    show_logs: bool = False
    queue: Literal["cpu", "gpu"] = "cpu"
    limits: Limits = Field(default_factory=Limits)
    subjective_weight: float = Field(default=0.0, ge=0, le=1)
    split: Optional[SplitSpec] = None  # public/private split of the bundle's samples (core.phase_split)
    _upload_cap_bytes: int = PrivateAttr(default=0)  # set by parse() from the track's settings
    _split: Optional[tuple[dict, list[str]]] = PrivateAttr(default=None)  # (summary, private ids), by parse()

    @field_validator("opens", "closes")
    @classmethod
    def _utc(cls, v: datetime) -> datetime:
        return to_utc_naive(v)

    @model_validator(mode="after")
    def _window(self):
        if self.closes <= self.opens:
            raise ValueError(f"closes ({self.closes}) must be after opens ({self.opens})")
        return self


MARKDOWN_MAX = 200_000  # characters of one page text
KIT_MAX = 512 * MiB
# A text that is only a relative path ending in .md names a Markdown file next to the YAML.
MD_FILE = re.compile(r"^[A-Za-z0-9_./-]+\.md$")


class TrackSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    submit: str = Field(default="", max_length=MARKDOWN_MAX)  # Markdown (or a .md file): what to submit
    starting_kit: Optional[str] = None  # a file (path relative to the YAML) teams can download
    phases: list[PhaseSpec] = Field(min_length=1)
    _kit: Optional[Path] = PrivateAttr(default=None)  # resolved by parse()


class Registration(BaseModel):
    """Who may enter (core.enrollment): open, approval (an organizer approves each team) or
    invite_only (organizers enroll teams); ``terms``: the text a team accepts to enter."""
    model_config = ConfigDict(extra="forbid")
    policy: Literal["open", "approval", "invite_only"] = "open"
    terms: str = Field(default="", max_length=20000)


class CompetitionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=MARKDOWN_MAX)  # Markdown, or a .md file
    rules: str = Field(default="", max_length=MARKDOWN_MAX)
    terms: str = Field(default="", max_length=MARKDOWN_MAX)  # data terms
    registration: Registration = Field(default_factory=Registration)
    tracks: dict[str, TrackSpec] = Field(min_length=1)


def _format(e: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}" for err in e.errors()]


def parse(text: str, base_dir: Path, *, page_files: bool = True) -> CompetitionSpec:
    """Parse and validate; raise CompetitionError listing every problem. ``page_files=False``
    (a YAML sent over HTTP): page texts naming a .md file and starting kits are refused, so an
    upload cannot publish a file of the server."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise CompetitionError(f"not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise CompetitionError("the competition file must be a YAML mapping with slug, title and tracks")
    try:
        spec = CompetitionSpec.model_validate(data)
    except ValidationError as e:
        raise CompetitionError("invalid competition file:\n  " + "\n  ".join(_format(e))) from None
    problems = []
    for field in ("description", "rules", "terms"):
        problems += _markdown_file(spec, field, field, base_dir, page_files)
    for track, tspec in spec.tracks.items():
        if track not in TRACKS:
            problems.append(f"tracks.{track}: unknown track {track!r}; known tracks: {', '.join(TRACKS)}")
            continue
        problems += _markdown_file(tspec, "submit", f"tracks.{track}.submit", base_dir, page_files)
        problems += _starting_kit(tspec, f"tracks.{track}.starting_kit", base_dir, page_files)
        names = [p.name for p in tspec.phases]
        for dup in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"tracks.{track}: phase name {dup!r} is used twice")
        ordered = sorted(tspec.phases, key=lambda p: p.opens)
        for a, b in zip(ordered, ordered[1:]):
            if b.opens < a.closes:
                problems.append(f"tracks.{track}: phases {a.name!r} ({a.opens}..{a.closes}) and "
                                f"{b.name!r} ({b.opens}..{b.closes}) overlap; one must close before the next opens")
        for p in tspec.phases:
            p.bundle = str(_resolve(p.bundle, base_dir))
            if not (Path(p.bundle) / "manifest.json").is_file():
                problems.append(f"tracks.{track}.phases.{p.name}.bundle: {p.bundle} is not a bundle directory "
                                "(no manifest.json); build the bundle first or fix the path")
            ms = p.scoring.get("model_set")
            if isinstance(ms, str):
                p.scoring["model_set"] = str(_resolve(ms, base_dir))
                if not Path(p.scoring["model_set"]).exists():
                    problems.append(f"tracks.{track}.phases.{p.name}.scoring.model_set: {p.scoring['model_set']} does not exist")
            problems += _scoring_problems(track, p)
            problems += _split_problems(track, p)
    if problems:
        raise CompetitionError("invalid competition file:\n  " + "\n  ".join(problems))
    return spec


FILES_OVER_HTTP = ("files are read only from a competition loaded on the server: "
                   "python -m core.manage load-competition FILE; over HTTP write the text inline")


def _markdown_file(obj: BaseModel, field: str, place: str, base_dir: Path, allowed: bool = True) -> list[str]:
    """Replace a ``.md`` path by the file's text; the problem, if any, with its place."""
    value = getattr(obj, field)
    if not MD_FILE.match(value.strip()):
        return []
    if not allowed:
        return [f"{place}: {value.strip()} names a Markdown file; {FILES_OVER_HTTP}"]
    path = _resolve(value.strip(), base_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return [f"{place}: {value.strip()} names a Markdown file that cannot be read ({e.__class__.__name__}: "
                f"{path}); fix the path (relative to the YAML file) or write the text inline"]
    if len(text) > MARKDOWN_MAX:
        return [f"{place}: {path} has {len(text)} characters; at most {MARKDOWN_MAX} are allowed"]
    setattr(obj, field, text)
    return []


def _starting_kit(tspec: TrackSpec, place: str, base_dir: Path, allowed: bool = True) -> list[str]:
    if not tspec.starting_kit:
        return []
    if not allowed:
        return [f"{place}: a starting kit is a file; {FILES_OVER_HTTP}"]
    path = _resolve(tspec.starting_kit, base_dir)
    if not path.is_file():
        return [f"{place}: {path} is not a file; give the path of the kit (relative to the YAML file)"]
    if path.stat().st_size > KIT_MAX:
        return [f"{place}: {path} is larger than {KIT_MAX // MiB} MiB"]
    tspec._kit = path
    return []


def _scoring_problems(track: str, p: PhaseSpec) -> list[str]:
    """The track's verdict on the phase's ``scoring`` mapping and the upload cap."""
    place = f"tracks.{track}.phases.{p.name}.scoring"
    try:
        settings = parse_settings(track, p.scoring)
    except SettingsError as e:
        return [f"{place}.{msg}" if key else f"{place}: {msg}" for key, msg in e.problems]
    if not (Path(p.bundle) / "manifest.json").is_file():
        return []  # reported above
    try:
        cap = int(settings.upload_cap(Path(p.bundle)))
    except BundleError as e:
        return [f"tracks.{track}.phases.{p.name}.bundle: the {track} track cannot read it: {e}"]
    if p.limits.max_upload_mb and p.limits.max_upload_mb * MiB > cap:
        return [f"tracks.{track}.phases.{p.name}.limits.max_upload_mb: {p.limits.max_upload_mb:g} MB is above the "
                f"{track} track's upload cap of {cap / MiB:g} MB for these scoring settings; lower it, or raise the "
                "cap in the track's scoring settings (see its settings.py)"]
    p._upload_cap_bytes = int(p.limits.max_upload_mb * MiB) if p.limits.max_upload_mb else cap
    return []


def _split_problems(track: str, p: PhaseSpec) -> list[str]:
    """Fix the phase's public/private split on its bundle (``core.phase_split.resolve``)."""
    if p.split is None or not (Path(p.bundle) / "manifest.json").is_file():
        return []
    place = f"tracks.{track}.phases.{p.name}.split"
    try:
        p._split = phase_split.resolve(track, Path(p.bundle), p.split)
    except (phase_split.SplitError, BundleError, NotImplementedError) as e:
        return [f"{place}: {e}"]
    return []


def _resolve(value: str, base_dir: Path) -> Path:
    p = Path(value).expanduser()
    return (p if p.is_absolute() else base_dir / p).resolve()


def _store_kit(slug: str, track: str, path: Optional[Path]) -> Optional[dict]:
    """Copy a starting kit into the artifact storage (the API serves it from there, wherever
    it runs); return what the track page needs: storage key, file name, size, sha256."""
    if path is None:
        return None
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    sha = h.hexdigest()
    name = re.sub(r"[^A-Za-z0-9._-]", "_", path.name)[:100] or "starting-kit"
    key = f"kits/{slug}/{track}/{sha[:16]}/{name}"
    storage = get_storage()
    if not storage.exists(key):
        storage.put_file(key, path)
    return {"key": key, "filename": name, "size": path.stat().st_size, "sha256": sha}


def _apply_split(session: Session, phase: Phase, p: PhaseSpec, place: str) -> None:
    """Store the split; refuse to change it once the phase has scores (they were computed on
    the old parts: re-scoring them all is the organizer's explicit decision)."""
    summary, private = p._split if p._split is not None else (None, None)
    if phase.id is not None and (phase.split_private or None) != private:
        scored = session.scalar(select(func.count()).select_from(Submission).where(
            Submission.phase_id == phase.id, Submission.score_id.is_not(None)))
        if scored:
            raise CompetitionError(f"invalid competition file:\n  {place}: the phase has {scored} scored "
                                   "submission(s) and its public/private split would change; keep the split, or "
                                   "create a new phase")
    phase.split, phase.split_private = summary, private


def load_file(session: Session, path: Path) -> tuple[Competition, list[str]]:
    path = Path(path)
    if not path.is_file():
        raise CompetitionError(f"competition file {path} does not exist")
    return apply(session, parse(path.read_text(), path.resolve().parent))


def apply(session: Session, spec: CompetitionSpec) -> tuple[Competition, list[str]]:
    """Create or update the competition and its phases (matched by track and name)."""
    notes = []
    comp = session.scalar(select(Competition).where(Competition.slug == spec.slug))
    if comp is None:
        comp = Competition(slug=spec.slug, title=spec.title)
        session.add(comp)
        session.flush()
        notes.append(f"created competition {spec.slug}")
    comp.title, comp.description, comp.rules = spec.title, spec.description, spec.rules
    # one text of terms: the data terms' Markdown, or the registration's terms where only those are given
    comp.terms = spec.terms or spec.registration.terms
    comp.registration = spec.registration.policy
    comp.track_pages = {track: {"submit": tspec.submit, "kit": _store_kit(spec.slug, track, tspec._kit)}
                        for track, tspec in spec.tracks.items()}
    for track, tspec in spec.tracks.items():
        for p in tspec.phases:
            phase = session.scalar(select(Phase).where(
                Phase.competition_id == comp.id, Phase.track == track, Phase.name == p.name))
            if phase is None:
                phase = Phase(competition_id=comp.id, track=track, name=p.name, revealed=False)
                session.add(phase)
                notes.append(f"created phase {track}/{p.name}")
            else:
                notes.append(f"updated phase {track}/{p.name}")
            phase.opens_at, phase.closes_at, phase.bundle, phase.settings = p.opens, p.closes, p.bundle, p.scoring
            phase.quota_daily, phase.quota_total = p.quota.daily, p.quota.total
            phase.ranking, phase.visibility, phase.show_logs, phase.queue = p.ranking, p.leaderboard, p.show_logs, p.queue
            phase.soft_time_limit, phase.hard_time_limit = p.limits.soft_seconds, p.limits.hard_seconds
            phase.max_upload_bytes = p._upload_cap_bytes
            phase.subjective_weight = p.subjective_weight
            _apply_split(session, phase, p, f"tracks.{track}.phases.{p.name}.split")
    session.flush()
    return comp, notes
