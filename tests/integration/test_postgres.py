"""A PostgreSQL gradebook: generate, parallel autograde, the formgrader's API and export.

The tests start a throwaway PostgreSQL server of their own, once per session:
a cluster made by ``initdb`` in a temporary folder, listening on 127.0.0.1 only
(a free port), with trust authentication for local connections. PostgreSQL
refuses to run as root, so as root the server runs as the ``postgres`` system
user that Debian's package creates. They are skipped, saying so, only when the
PostgreSQL binaries are not installed (``scripts/system-deps`` installs them).
"""

from __future__ import annotations

import csv
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from test_autograde import EXPECTED, MODULE, assert_same_as_nbgrader, course_with_class, reference

from conftest import run, tool_env
from coursekit.cli import main
from coursekit.grading.config import load_course_config
from coursekit.grading.gradebook import snapshot

pytestmark = pytest.mark.postgres

REFLECTIONS = ["reflection_description", "reflection_feelings", "reflection_evaluation",
               "reflection_analysis", "reflection_conclusion", "reflection_action_plan"]


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries installed the Debian way, if any."""
    found = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")
             if Path(p, "initdb").is_file() and Path(p, "pg_ctl").is_file()]
    return max(found, key=lambda p: float(p.parent.name)) if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ThrowawayPostgres:
    """A PostgreSQL server in a temporary folder, on 127.0.0.1, gone after :meth:`stop`."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.port = free_port()
        # Not under pytest's tmp_path: that is private to root, and the server runs as postgres.
        self.folder = Path(tempfile.mkdtemp(prefix="coursekit-postgres-"))
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("PostgreSQL will not run as root, and there is no 'postgres' user to run "
                            "it as (Debian's postgresql package creates one).")
            shutil.chown(self.folder, "postgres", "postgres")
            self.as_owner = (["runuser", "-u", "postgres", "--"] if shutil.which("runuser") else
                             ["setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups"])
        data = self.folder / "data"
        self._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-locale", "--no-sync")
        # fsync off: a throwaway server; nothing here needs to survive a power cut.
        self._run("pg_ctl", "-D", str(data), "-l", str(self.folder / "server.log"), "-w", "-t", "60",
                  "-o", f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off", "start")

    def _run(self, tool: str, *args: str) -> None:
        result = subprocess.run([*self.as_owner, str(self.bindir / tool), *args],
                                capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            log = self.folder / "server.log"
            raise AssertionError(f"{tool} failed ({result.returncode}):\n{result.stdout[-2000:]}\n"
                                 f"{result.stderr[-2000:]}\n"
                                 f"{log.read_text()[-2000:] if log.exists() else ''}")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new, empty database; returns its URL."""
        import psycopg2

        name = f"course_{uuid.uuid4().hex[:10]}"
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres",
                                      dbname="postgres")
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE {name}")
        finally:
            connection.close()
        return self.url(name)

    def stop(self) -> None:
        subprocess.run([*self.as_owner, str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"),
                        "-m", "fast", "-w", "stop"], capture_output=True, timeout=120)
        shutil.rmtree(self.folder, ignore_errors=True)


_SERVER: list[ThrowawayPostgres] = []


def postgres_server(config: pytest.Config) -> ThrowawayPostgres:
    """The session's server, started on first use (test_dask.py uses it too)."""
    if not _SERVER:
        bindir = postgres_bin()
        if bindir is None:
            pytest.skip("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); "
                        "run scripts/system-deps as root to install it.")
        server = ThrowawayPostgres(bindir)
        config.add_cleanup(server.stop)
        _SERVER.append(server)
    return _SERVER[0]


@pytest.fixture
def database(request: pytest.FixtureRequest) -> str:
    """A fresh PostgreSQL database for one test; its URL."""
    return postgres_server(request.config).create_database()


@pytest.mark.nbgrader
@pytest.mark.kernel
def test_a_postgresql_gradebook_works_for_autograde_formgrader_and_export(
        database, tmp_path_factory, tmp_path, monkeypatch, capsys):
    reference(tmp_path_factory)  # plain nbgrader on SQLite, before this test points at the server
    course = course_with_class(tmp_path_factory, tmp_path / "course", db_url=database)
    assert not (course / "gradebook.db").exists()
    monkeypatch.setenv("COURSEKIT_DB_URL", database)

    status = main(["autograde", MODULE, "--course", str(course), "--jobs", "2"])
    out = capsys.readouterr().out
    assert status == 1, out  # dan and eve, as on SQLite
    assert "alliance: 3 of 5 submission(s) graded" in out
    assert f"Grades are in the gradebook {database}." in out
    found = snapshot(database, "coursekit", MODULE)
    assert_same_as_nbgrader(course, found, tmp_path_factory)
    assert not (course / "gradebook.db").exists(), "nothing was written to a SQLite file"

    # The formgrader's API, in-process, lists the submissions with their scores...
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = load_course_config(course)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    listed = {s["student"]: s for s in api.get_submissions(MODULE)}
    assert sorted(listed) == ["ada", "ben", "cleo", "dan", "eve"]
    assert {name: listed[name]["score"] for name in EXPECTED} == {"ada": 6.0, "ben": 0.0, "cleo": 2.0}
    assert listed["eve"]["autograded"] is False
    # ...and a grader's hand marks are saved through the gradebook it hands out, as its
    # grade handler does.
    gradebook = api.gradebook
    for grade_id in REFLECTIONS:
        gradebook.find_grade(grade_id, MODULE, MODULE, "ada").manual_score = 2
    gradebook.find_grade(REFLECTIONS[0], MODULE, MODULE, "ben").manual_score = 1
    gradebook.db.commit()
    gradebook.close()

    # Export reads them back from the server.
    run(["nbgrader", "export", "--to", str(tmp_path / "grades.csv")], cwd=course,
        env=tool_env(COURSEKIT_DB_URL=database))
    with open(tmp_path / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle) if row["assignment"] == MODULE}
    assert {name: float(rows[name]["score"]) for name in EXPECTED} == {"ada": 18.0, "ben": 1.0,
                                                                       "cleo": 2.0}
    assert float(rows["ada"]["max_score"]) == 18.0
