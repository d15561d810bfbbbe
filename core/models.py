"""SQLAlchemy 2 models. Timestamps are naive UTC (see core.timeutil)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import (JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .timeutil import utcnow

# Submission states; they only move forward through conditional updates (core.lifecycle).
RECEIVED, QUEUED, RUNNING, SCORED, FAILED, CANCELLED = (
    "received", "queued", "running", "scored", "failed", "cancelled")
TERMINAL = (SCORED, FAILED, CANCELLED)
FAILURE_CLASSES = ("user", "timeout", "infra")


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Competition(Base):
    __tablename__ = "competitions"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # Markdown written by the organizer (core.competition); rendered safely by the pages
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    rules: Mapped[str] = mapped_column(Text, default="", server_default="")
    terms: Mapped[str] = mapped_column(Text, default="", server_default="")
    # per track: {"submit": Markdown, "kit": {"key", "filename", "size", "sha256"} or None}
    track_pages: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'"))
    registration: Mapped[str] = mapped_column(String(16), default="open")  # open | approval | invite_only
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    phases: Mapped[list["Phase"]] = relationship(back_populates="competition", order_by="Phase.id")


class Phase(Base):
    __tablename__ = "phases"
    __table_args__ = (UniqueConstraint("competition_id", "track", "name", name="uq_phase_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"))
    track: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    opens_at: Mapped[datetime] = mapped_column(DateTime)
    closes_at: Mapped[datetime] = mapped_column(DateTime)
    bundle: Mapped[str] = mapped_column(Text)  # bundle directory as seen by the workers
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the scorer's settings
    quota_daily: Mapped[int] = mapped_column(Integer)
    quota_total: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    ranking: Mapped[str] = mapped_column(String(8), default="best")  # best | last
    visibility: Mapped[str] = mapped_column(String(8), default="public")  # public | private
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    show_logs: Mapped[bool] = mapped_column(Boolean, default=False)
    queue: Mapped[str] = mapped_column(String(16), default="cpu")  # cpu | gpu
    soft_time_limit: Mapped[int] = mapped_column(Integer, default=1800)
    hard_time_limit: Mapped[int] = mapped_column(Integer, default=2100)
    max_upload_bytes: Mapped[int] = mapped_column(BigInteger)
    subjective_weight: Mapped[float] = mapped_column(Float, default=0.0)
    # A public/private split of the bundle's samples (evaluators.common.parts), fixed at load:
    # split = {"method": "hash"|"ids", "seed", "private_fraction", "n_public", "n_private"} (read on
    # every status poll, so kept small); split_private = the private sample ids (workers only).
    split: Mapped[Optional[dict[str, Any]]] = mapped_column(nullable=True)
    split_private: Mapped[Optional[list[Any]]] = mapped_column(nullable=True)
    competition: Mapped[Competition] = relationship(back_populates="phases")


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Notifications (core.notifications): set by an organizer / by the team over the API.
    contact_email: Mapped[Optional[str]] = mapped_column(String(254), nullable=True)
    webhook_url: Mapped[Optional[str]] = mapped_column(String(2000), nullable=True)
    webhook_secret: Mapped[Optional[str]] = mapped_column(String(200), nullable=True)
    # Teams created by participants (core.accounts) submit only where enrolled; organizer-made ones anywhere.
    self_registered: Mapped[bool] = mapped_column(Boolean, default=False)
    invite_code: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    __table_args__ = (UniqueConstraint("invite_code", name="uq_teams_invite_code"),)


class User(Base):
    """A registered participant (core.accounts). Only the argon2 hash of the password is kept."""
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), unique=True)  # lower-cased
    password_hash: Mapped[str] = mapped_column(String(255))
    team_id: Mapped[Optional[int]] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), nullable=True,
                                                   index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PasswordReset(Base):
    """A password-reset link sent by e-mail (core.password_reset): single use, expiring; only
    the sha256 of its token is kept."""
    __tablename__ = "password_resets"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)


# Enrollment states (core.enrollment): pending -> approved
PENDING, APPROVED = "pending", "approved"


class Enrollment(Base):
    """A team's entry into a competition, under the competition's registration policy."""
    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("team_id", "competition_id", name="uq_enrollment"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(12), default=PENDING)
    accepted_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    terms_accepted_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)


class ApiToken(Base):
    """Only the sha256 of a token is stored; the token itself is shown once."""
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(8))  # admin | team
    team_id: Mapped[Optional[int]] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), nullable=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("team_id", "phase_id", "idempotency_key", name="uq_submission_idempotency"),
        # Leaderboard: best / last scored submission per team under the current scorer version.
        Index("ix_submissions_rank_best", "phase_id", "team_id", "score_version",
              text("score_total DESC"), "created_at", "id",
              postgresql_where=text("score_id IS NOT NULL AND disqualified = false"),
              sqlite_where=text("score_id IS NOT NULL AND disqualified = 0")),
        Index("ix_submissions_rank_last", "phase_id", "team_id", "score_version",
              text("created_at DESC"), "id",
              postgresql_where=text("score_id IS NOT NULL AND disqualified = false"),
              sqlite_where=text("score_id IS NOT NULL AND disqualified = 0")),
        Index("ix_submissions_queue", "state", "queue", "queued_at"),
        Index("ix_submissions_team", "team_id", "phase_id", "created_at"),
        Index("ix_submissions_heartbeat", "state", "heartbeat_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phases.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(12), default=RECEIVED)
    failure_class: Mapped[Optional[str]] = mapped_column(String(8), nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(32), default="")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    queue: Mapped[str] = mapped_column(String(16), default="cpu")
    filename: Mapped[str] = mapped_column(String(255))
    artifact_key: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[Optional[str]] = mapped_column(String(128), nullable=True)
    quota_day: Mapped[str] = mapped_column(String(10))  # UTC day the upload counted against
    counts_quota: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    queued_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    started_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    heartbeat_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # runs ever started (identifies a run)
    run_attempts: Mapped[int] = mapped_column(Integer, default=0)  # runs since the last (re)queue by a user/admin
    worker: Mapped[str] = mapped_column(String(200), default="")
    log_tail: Mapped[str] = mapped_column(Text, default="")
    disqualified: Mapped[bool] = mapped_column(Boolean, default=False)
    disqualified_reason: Mapped[str] = mapped_column(Text, default="")
    # Denormalised pointer to the newest score row, so the leaderboard reads one table.
    score_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    score_total: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    score_version: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    team: Mapped[Team] = relationship()
    phase: Mapped[Phase] = relationship()


def ranked_total(score: float, subjective: Optional[float], weight: float) -> float:
    """What a leaderboard ranks: the scorer's score + the phase's ``subjective_weight`` x the
    organizers' subjective score (none entered: the score alone). The one formula for a score
    row's ``total`` and each of its parts' totals."""
    return float(score) + (weight * subjective if subjective is not None else 0.0)


class Score(Base):
    """One scoring run's result. Rows are never updated; re-scoring adds a row."""
    __tablename__ = "scores"
    __table_args__ = (Index("ix_scores_submission", "submission_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    scorer_version: Mapped[str] = mapped_column(String(64))
    total: Mapped[float] = mapped_column(Float)  # what the leaderboard ranks
    scorer_score: Mapped[float] = mapped_column(Float)  # Result.score
    subjective: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    valid: Mapped[bool] = mapped_column(Boolean, default=True)
    columns: Mapped[dict[str, Any]] = mapped_column(default=dict)
    messages: Mapped[list[Any]] = mapped_column(default=list)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    artifacts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # name -> storage key
    timings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # A split phase's parts (core.split_scores): {"public": {"score", "total", "columns", "n"},
    # "private": {...}}; total ranks the part as ``total`` ranks the whole. Empty without a split.
    parts: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class QuotaCounter(Base):
    """Uploads counted per team, phase and period ('YYYY-MM-DD' or 'total')."""
    __tablename__ = "quota_counters"
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phases.id", ondelete="CASCADE"), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)


# Regression run states (core.regression): queued -> running -> passed | failed | error
REGRESS_QUEUED, REGRESS_RUNNING, REGRESS_PASSED, REGRESS_FAILED, REGRESS_ERROR = (
    "queued", "running", "passed", "failed", "error")


class RegressionRun(Base):
    """One run of ``python -m reference_solutions regress`` by a worker (workers/regression.py)."""
    __tablename__ = "regression_runs"
    __table_args__ = (Index("ix_regression_runs_created", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(8), default=REGRESS_QUEUED)
    reason: Mapped[str] = mapped_column(String(200), default="")  # admin | schedule | scorer versions changed
    budget: Mapped[str] = mapped_column(String(8), default="quick")
    tracks: Mapped[str] = mapped_column(String(100), default="all")
    scorer_versions: Mapped[dict[str, Any]] = mapped_column(default=dict)  # track -> SCORER_VERSION
    rows: Mapped[list[Any]] = mapped_column(default=list)  # the regress table (JSON rows)
    ordering: Mapped[dict[str, Any]] = mapped_column(default=dict)  # per track: methods beat baselines?
    table: Mapped[str] = mapped_column(Text, default="")  # the printed table
    error: Mapped[str] = mapped_column(Text, default="")
    worker: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)


class WebSession(Base):
    """A browser sign-in (core.web_sessions): only the sha256 of the random session id is
    stored. It belongs to the API token that signed in (revoking or deleting that token ends
    it) or to the user who signed in with a password (exactly one of the two is set). Sign-out sets ``revoked_at`` and moves ``expires_at`` to that moment, so one indexed
    ``expires_at`` range covers every row that can be purged."""
    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_expires_at", "expires_at"),
                      Index("ix_web_sessions_api_token", "api_token_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    api_token_id: Mapped[Optional[int]] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"),
                                                        nullable=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)


class ScorerVersion(Base):
    """The scorer version a track's workers run (``core.scorer_versions``): written by workers
    when they start and with every score row, read by the API for the leaderboard."""
    __tablename__ = "scorer_versions"
    track: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    worker: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PhaseBaseline(Base):
    """A marked row on a phase's leaderboard (``core.baselines``): a reference solution or demo
    baseline, shown beside the teams but never ranked among them nor counted in prizes. Either
    a snapshot of a regression run's row (``source='regression'``: total, columns and scorer
    version copied) or a normal submission an organizer flagged (``source='submission'``: its
    current score is shown, and it is left out of its team's ranking)."""
    __tablename__ = "phase_baselines"
    __table_args__ = (UniqueConstraint("phase_id", "label", name="uq_phase_baseline_label"),
                      UniqueConstraint("submission_id", name="uq_phase_baseline_submission"))
    id: Mapped[int] = mapped_column(primary_key=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phases.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(16))  # regression | submission
    submission_id: Mapped[Optional[int]] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"),
                                                         nullable=True)
    regression_run_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    regression_row: Mapped[str] = mapped_column(String(300), default="")  # kind/name/phase of the run's row
    total: Mapped[Optional[float]] = mapped_column(Float, nullable=True)  # regression snapshots only
    columns: Mapped[dict[str, Any]] = mapped_column(default=dict)
    scorer_version: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# Outbox delivery states (core.notifications): pending -> sent | dead
NOTIFY_PENDING, NOTIFY_SENT, NOTIFY_DEAD = "pending", "sent", "dead"


class Notification(Base):
    """One delivery of a "submission finished" event (an e-mail or a webhook call), written in
    the transaction that set the submission's final state and drained by workers/notify.py."""
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),
                      Index("ix_notifications_submission", "submission_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))  # email | team_webhook | organizer_webhook
    target: Mapped[str] = mapped_column(String(2000))  # the address or URL
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the event, as sent
    status: Mapped[str] = mapped_column(String(8), default=NOTIFY_PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)


class AuditEntry(Base):
    """One organizer action (core.audit): who, what, when, on what, with which details."""
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))  # e.g. "admin token 3 (ops laptop)", "cli"
    action: Mapped[str] = mapped_column(String(64))  # e.g. submission.rescore
    target: Mapped[str] = mapped_column(String(200), default="")  # e.g. "submission 12"
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
