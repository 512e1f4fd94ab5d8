"""What autograding is asked and what it reports: the settings, the plan, one outcome per
submission, and the summary of a run. Plain data, shared by the parent process and the workers."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_TIMEOUT = 600.0  # seconds for one notebook; nbgrader's per-cell limit still applies


@dataclass(frozen=True)
class Settings:
    """What a worker needs to grade; plain values, so that it travels to Dask workers."""

    course: str  # absolute path, the same on every worker
    module: str
    db_url: str  # resolved once by the parent, so every worker writes the same gradebook
    course_id: str
    timeout: float | None = DEFAULT_TIMEOUT
    force: bool = False
    serialise_gradebook: bool = True
    warm: bool = True  # kernels forked from a fork server (coursekit.grading.warm), or started cold
    notebooks: tuple[str, ...] = ()  # the module's notebooks, as the gradebook lists them


@dataclass(frozen=True)
class Plan:
    """What :func:`prepare` found: the students with a submission folder, the module's notebooks."""

    students: tuple[str, ...]
    notebooks: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """One student's result. ``reason`` is empty when all went well."""

    student: str
    status: str  # "graded", "skipped" (already graded) or "failed"
    seconds: float = 0.0
    file: str = ""  # the file or folder at fault, relative to the course folder
    reason: str = ""
    log: str = ""  # nbgrader's log while grading this student
    notes: tuple[str, ...] = ()  # graded, but worth a look (see coursekit.grading.submissions)

    @property
    def ok(self) -> bool:
        return not self.reason


@dataclass
class Summary:
    module: str
    workers: int
    db_url: str
    seconds: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def graded(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "graded"]

    @property
    def skipped(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "skipped"]

    @property
    def problems(self) -> list[Outcome]:
        return sorted((o for o in self.outcomes if not o.ok), key=lambda o: o.student)


# --- in a worker -------------------------------------------------------------------------
