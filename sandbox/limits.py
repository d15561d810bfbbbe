"""The sandbox limits of one container run: the one place they and their bounds are defined.

A container track's phase settings extend ``Limits`` (``evaluators.deepfake.settings``), so a
phase YAML sets them under the same names and gets the same checks.
"""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict

Bool = Annotated[bool, Strict()]
Int = Annotated[int, Strict()]
Num = Annotated[float, Strict()]  # strict still takes YAML integers for a float


class Limits(BaseModel):
    """Per-run limits (units in the names). Validation errors name the key and its bounds."""
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    time_limit_s: Num = Field(600.0, ge=1, le=7 * 24 * 3600, description="wall clock from container start")
    memory_mb: Int = Field(4096, ge=16, le=1 << 20, description="RAM, swap included")
    cpus: Num = Field(2.0, ge=0.05, le=1024)
    pids: Int = Field(256, ge=8, le=1 << 20, description="most processes and threads")
    gpu: Bool = Field(False, description="give the container a GPU")
    output_cap_mb: Num = Field(64.0, ge=0.01, le=1 << 20, description="most bytes written to /output")
    log_cap_kb: Int = Field(64, ge=1, le=1 << 20, description="tail of stdout/stderr kept")
    log_limit_mb: Num = Field(32.0, ge=0.01, le=1 << 20,
                              description="more than this in the engine's log of stdout/stderr stops the run")
    tmp_mb: Int = Field(256, ge=1, le=1 << 20, description="size of the /tmp tmpfs")

    def limits(self) -> "Limits":
        """Just the sandbox limits (a subclass's extra settings dropped)."""
        return Limits(**{name: getattr(self, name) for name in Limits.model_fields})
