"""Where submissions are graded: a local pool of processes (``--jobs``) or the workers of a
Dask cluster (``--scheduler``). Both run the same :func:`nbgrader_glue.grade_submission`."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, cast

from coursekit.errors import CoursekitError
from coursekit.grading.nbgrader_glue import _converter_class, _one_line, grade_submission
from coursekit.grading.results import Outcome, Settings


def _start_worker(log_file: str | None = None, fork_server: str | None = None) -> None:
    """Start a local worker: send its output to the log file, connect to the run's fork
    server (warm kernels) if there is one, and import nbgrader now, while the parent
    gets ready."""
    if log_file:
        # Kernels inherit these; what they print would otherwise break up the progress bar.
        with contextlib.suppress(OSError):
            fd = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.close(fd)
    if fork_server:
        from coursekit.grading import warm

        warm.use_shared_fork_server(fork_server)
    _converter_class()
    import nbgrader.api  # noqa: F401


# --- in the parent -----------------------------------------------------------------------

class _Workers(Protocol):
    count: int

    def call(self, function: Any, *args: Any) -> Any: ...

    def grade(self, settings: Settings, students: Sequence[str]) -> Iterator[Outcome]: ...

    def close(self) -> None: ...


class _LocalWorkers:
    """A pool of worker processes on this machine."""

    def __init__(self, jobs: int, log_file: Path, warm: bool = False):
        self.count = jobs
        self.log_file = str(log_file)
        self.fork_server: Any = None
        if warm:  # one for the run, importing while the workers start and import nbgrader
            from coursekit.grading.warm import ForkServer

            self.fork_server = ForkServer.start(shared=True, output=self.log_file)
        self.pool = self._start()

    def _start(self) -> Any:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn, not fork: workers start clean, with no copy of the parent's state.
        pool = ProcessPoolExecutor(self.count, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_worker,
                                   initargs=(self.log_file, self.fork_server and self.fork_server.path))
        for _ in range(self.count):  # start every worker now, so they import nbgrader at once
            pool.submit(int)
        return pool

    def call(self, function: Any, *args: Any) -> Any:
        return self.pool.submit(function, *args).result()

    def grade(self, settings: Settings, students: Sequence[str]) -> Iterator[Outcome]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        waiting = deque(students)
        running: dict[Any, str] = {}
        while waiting or running:
            # No more submissions out than workers: if a worker dies, only those it
            # and the others were grading are lost, not everything still queued.
            while waiting and len(running) < self.count:
                student = waiting.popleft()
                running[self.pool.submit(grade_submission, settings, student)] = student
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                student = running.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool:
                    broken = True
                    yield _lost(settings, student, "a grading process stopped while this submission "
                                "was being graded (out of memory, or killed)")
            if broken:
                for future, student in running.items():
                    with contextlib.suppress(BrokenProcessPool):
                        future.exception()
                    yield _lost(settings, student, "a grading process stopped while this submission "
                                "was being graded (out of memory, or killed)")
                running.clear()
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = self._start()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        if self.fork_server is not None:
            self.fork_server.close()


class _DaskWorkers:
    """The workers of a Dask distributed cluster; the course folder must be on shared storage."""

    def __init__(self, scheduler: str, course: str):
        try:
            from distributed import Client
        except ImportError:
            raise CoursekitError(
                "--scheduler needs Dask's distributed package: pip install 'coursekit[cluster]'."
            ) from None
        try:
            self.client: Any = cast(Any, Client)(scheduler, timeout="30s")
        except OSError as exc:
            raise CoursekitError(f"Could not reach the Dask scheduler at {scheduler}: {exc}. Is it "
                                 "running, and is the address (tcp://host:8786) right?") from None
        workers = self.client.scheduler_info().get("workers", {})
        if not workers:
            self.client.close()
            raise CoursekitError(f"The Dask scheduler at {scheduler} has no workers; start some "
                                 f"with `dask worker {scheduler} --nthreads 1`.")
        self.count = len(workers)
        blind = [address for address, seen in self.client.run(os.path.isdir, course).items() if not seen]
        if blind:
            self.client.close()
            raise CoursekitError(
                f"These Dask workers cannot see the course folder {course}: {', '.join(sorted(blind))}. "
                "Mount the shared course folder at the same path on every worker.")

    def call(self, function: Any, *args: Any) -> Any:
        return self.client.submit(function, *args, pure=False).result()

    def grade(self, settings: Settings, students: Sequence[str]) -> Iterator[Outcome]:
        from distributed import as_completed

        run = uuid.uuid4().hex[:8]
        futures = {self.client.submit(grade_submission, settings, student, pure=False,
                                      key=f"autograde-{settings.module}-{student}-{run}"): student
                   for student in students}
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            student = futures[future]
            try:
                yield future.result()
            except Exception as exc:  # the task itself failed: a worker died, or was lost
                yield _lost(settings, student, f"the Dask task failed ({_one_line(exc)})")

    def close(self) -> None:
        self.client.close()


def _lost(settings: Settings, student: str, what: str) -> Outcome:
    return Outcome(student, "failed", file=f"submitted/{student}/{settings.module}",
                   reason=f"{what}; grade it again with `coursekit autograde {settings.module} "
                          f"--student {student} --force`.")
