"""The API's response shapes (what /docs and /openapi.json publish). Field names are the JSON
the routes have always answered with; timestamps are ISO 8601 UTC strings ending in ``Z``."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Optional

from pydantic import BaseModel, Field

State = Literal["received", "queued", "running", "scored", "failed", "cancelled"]
FailureClass = Literal["user", "timeout", "infra"]
Timestamp = str  # ISO 8601 UTC, e.g. 2026-03-01T12:00:00.000Z


class FieldError(BaseModel):
    """One invalid parameter or body field."""
    loc: list[str | int] = Field(description="where: e.g. ['query', 'limit'] or ['body', 'name']")
    msg: str
    type: str


class ErrorResponse(BaseModel):
    """Every error answer (4xx, 503)."""
    detail: str = Field(description="what is wrong and how to fix it")
    errors: Optional[list[FieldError]] = Field(
        default=None, description="only on a 422 for invalid parameters or body: each invalid field")


class Health(BaseModel):
    ok: bool


class QuotaLeft(BaseModel):
    """A team's upload quota on one phase: per UTC day and, where the phase has one, in total."""
    daily_limit: int
    daily_left: int
    total_limit: Optional[int]
    total_left: Optional[int]


class Quota(QuotaLeft):
    daily_resets_at: Optional[Timestamp] = Field(description="the next 00:00 UTC")


class PartScore(BaseModel):
    """One part of a split phase's score (core.phase_split)."""
    score: float
    total: float = Field(description="the part's score + weight x subjective, as the whole's total")
    columns: dict[str, float] = Field(description="aggregate columns only (no column names one sample)")
    n: int = Field(description="samples in the part")


class Score(BaseModel):
    """A submission's newest score row (absent while the phase hides results from the caller).
    On a split phase before the reveal a team sees the public part here (total, scorer_score and
    columns are the public part's; no pictures, parts null)."""
    total: float = Field(description="what the leaderboard ranks: scorer_score + weight x subjective "
                         "(a split phase: the public part's)")
    scorer_score: float
    subjective: Optional[float]
    scorer_version: str
    valid: bool = Field(description="false when a rule voided the submission (reason in messages)")
    columns: dict[str, float] = Field(description="per-model / per-scene / per-kind figures, e.g. 'model:dlib'")
    messages: list[str]
    artifacts: list[str] = Field(description="names for GET /api/v1/submissions/{id}/artifacts/{name}")
    parts: Optional[dict[str, PartScore]] = Field(
        default=None, description="a split phase's 'public' and 'private' parts; null without a split or before "
        "the reveal for a team")


class SampleMeasures(BaseModel):
    """An adversarial face against its original (face track)."""
    linf: int = Field(description="L∞ distance, 0-255 pixel units")
    ssim: Optional[float] = Field(description="SSIM (scikit-image, 7x7 window, data range 255), -1..1; "
                                  "null where the phase sets no limit (not measured)")
    psnr: Optional[float] = Field(description="PSNR in dB; null when the image is unchanged (infinite)")


class LivenessFigure(BaseModel):
    score: float = Field(description="the liveness model's spoof score; higher = more likely a spoof")
    live: bool = Field(description="passes as live: score <= the model set's threshold")


class SampleFigures(BaseModel):
    """One sample of a scored submission (face track; other tracks list none)."""
    id: str = Field(description="pair id, e.g. '0001'")
    valid: bool = Field(description="false: counted as an unsuccessful attack (reason says why)")
    reason: str
    measured: Optional[SampleMeasures] = Field(description="the submitted image; null when it could not be read")
    projected: Optional[SampleMeasures] = Field(
        description="the image scored after clipping into the ε-ball (phase setting over_limit: project)")
    liveness: dict[str, LivenessFigure] = Field(description="per liveness model of the phase's model set")


class SubmissionStatus(BaseModel):
    """One submission as its team (or an organizer) sees it."""
    id: int
    team: str
    phase_id: int
    track: str
    phase: str
    state: State
    failure_class: Optional[FailureClass]
    message: str
    stage: str
    progress: float = Field(description="percent of the current run")
    queue_position: Optional[int] = Field(description="1 = next to run; only while queued")
    remaining_quota: QuotaLeft
    filename: str
    size_bytes: int
    sha256: str
    attempts: int
    disqualified: bool
    created_at: Timestamp
    queued_at: Optional[Timestamp]
    started_at: Optional[Timestamp]
    finished_at: Optional[Timestamp]
    score: Optional[Score]


class SplitInfo(BaseModel):
    """A phase's public/private split: the leaderboard ranks the public part until the reveal."""
    n_public: int
    n_private: int


class PhaseInfo(BaseModel):
    id: int
    track: str
    name: str
    opens_at: Timestamp
    closes_at: Timestamp
    quota_daily: int
    quota_total: Optional[int]
    ranking: Literal["best", "last"]
    visibility: Literal["public", "private"]
    revealed: bool
    queue: str
    max_upload_bytes: int
    show_logs: bool
    split: Optional[SplitInfo] = Field(default=None, description="a public/private split; null without one")


class CompetitionInfo(BaseModel):
    slug: str
    title: str
    phases: list[PhaseInfo]


class PrivateRank(BaseModel):
    """The same picked submission ranked by its private part."""
    rank: Optional[int] = Field(description="null: scored before the phase had its split")
    total: Optional[float]
    columns: dict[str, float]
    rank_change: Optional[int] = Field(description="public rank - private rank (positive: moved up)")


class LeaderboardRow(BaseModel):
    """A team's ranked submission. Before a private phase is revealed, a team sees only its own
    row, with rank, total, columns and valid set to null. On a split phase rank, total and columns
    are the public part's."""
    rank: Optional[int]
    team: str
    submission_id: int
    total: Optional[float]
    submitted_at: Timestamp
    columns: Optional[dict[str, float]]
    valid: Optional[bool]
    private: Optional[PrivateRank] = Field(default=None, description="a split phase's private part: shown to "
                                           "organizers, and to everyone after the reveal")


class BaselineRow(BaseModel):
    """A marked row (a reference solution, a demo baseline or a flagged submission): shown
    beside the teams, never ranked among them nor counted in prizes."""
    baseline_id: int
    label: str
    source: Literal["regression", "submission"]
    total: Optional[float] = Field(description="null while a flagged submission has no score")
    columns: dict[str, float]
    scorer_version: str = Field(description="the scorer version of the shown score")
    submission_id: Optional[int] = Field(description="the flagged submission (source submission)")
    regression_run_id: Optional[int] = Field(description="the run the row was copied from (source regression)")
    created_at: Optional[Timestamp]


class Leaderboard(BaseModel):
    phase: PhaseInfo
    scorer_version: str
    complete: bool = Field(description="false when the caller sees only its own row")
    columns: list[str]
    rows: list[LeaderboardRow]
    baselines: list[BaselineRow] = Field(default_factory=list,
                                         description="marked rows, unranked; shown only with the complete ranking")


class TeamCreated(BaseModel):
    team: str
    team_id: int
    token: str = Field(description="the team's API token; shown only this once")
    invite_code: str = Field(description="the team's invite code (join_...): a registered participant joins the "
                             "team with it on /team")


class EnrollmentInfo(BaseModel):
    team_id: int
    team: str = Field(description="the team's name as typed (escape it where you show it)")
    state: Literal["pending", "approved"]
    terms_accepted_at: Optional[datetime] = Field(description="UTC; null when an organizer enrolled the team")
    created_at: datetime


class CompetitionLoaded(BaseModel):
    slug: str
    notes: list[str] = Field(description="what was created or updated")


class QueuedSubmissions(BaseModel):
    queued: list[int] = Field(description="ids of the submissions queued")


class RevealState(BaseModel):
    phase_id: int
    revealed: bool


class RegressionRunSummary(BaseModel):
    id: int
    status: Literal["queued", "running", "passed", "failed", "error"]
    reason: str
    budget: str
    tracks: str
    scorer_versions: dict[str, str]
    created: Optional[Timestamp]
    started: Optional[Timestamp]
    finished: Optional[Timestamp]
    row_counts: dict[str, int] = Field(description="rows of the table by status")
    ordering_ok: dict[str, Optional[bool]] = Field(description="per track: do the methods beat the baselines?")
    error: str


class RegressionRun(RegressionRunSummary):
    rows: list[dict[str, Any]] = Field(description="the regression table, one row per method and phase")
    ordering: dict[str, dict[str, Any]]
    table: str = Field(description="the table as printed")


class RegressionReport(BaseModel):
    latest: Optional[RegressionRun]
    latest_finished: Optional[RegressionRun]
    history: list[RegressionRunSummary]


class RegressionQueued(BaseModel):
    run: int
    queued: bool = Field(description="false when a run was already queued or running (that one is returned)")
    detail: str


class TeamNotifications(BaseModel):
    """Where a team's "submission finished" notifications go (README, "Notifications")."""
    team_id: int
    team: str
    contact_email: Optional[str] = Field(description="set by an organizer; null: no e-mails")
    webhook_url: Optional[str] = Field(description="set by the team; null: no webhook calls")
    webhook_secret_set: bool = Field(description="whether a signing secret is stored (it is never shown)")


class AuditEntry(BaseModel):
    id: int
    at: Timestamp
    actor: str = Field(description="e.g. 'admin token 3 (ops laptop)'")
    action: str = Field(description="e.g. submission.rescore, phase.reveal, team.create")
    target: str = Field(description="e.g. 'submission 12', 'phase 3'")
    details: dict[str, Any]


class AuditPage(BaseModel):
    """Newest first."""
    total: int = Field(description="entries matching the filter")
    offset: int
    limit: int
    items: list[AuditEntry]
