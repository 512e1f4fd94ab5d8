"""The README's instructor round trip, run as written: command by command, in one shell.

The fenced ``sh`` blocks of "An instructor's first round trip" are read from the
README itself and run in a copy of the repository's course with a HOME of its
own. Their comment lines are where people act: students work in their notebooks
(a marker of their own in a reflection, so their feedback can be told apart),
and the instructor grades reflections by hand (here through the gradebook, as
the Formgrader does). The outcome is checked as a user would: the module was
released, every submission collected, each student fetched their own feedback
and no one else's, grades.csv has a row for each, and nothing was written to the
instructor's own nbgrader cache.
"""

from __future__ import annotations

import csv
import os
import re
import select
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from conftest import COURSE, ROOT, complete_answers, copy_course, instrument_of, run, tool_env
from coursekit.student.responses import ResponseStore

SECTION = "## An instructor's first round trip"
STUDENTS = ["ada", "ben"]
REFLECTIONS = ["reflection_description", "reflection_feelings", "reflection_evaluation",
               "reflection_analysis", "reflection_conclusion", "reflection_action_plan"]
# What nbgrader says when something is wrong that a clean round trip must never show.
ALARMS = ("cheating attempt", "Attribute 'checksum'", "Traceback")


def marker(student: str) -> str:
    # in lower case: a capitalised made-up word reads as a name to the privacy check, and the
    # README's `coursekit grading-notes` would then (rightly) exit 1
    return f"readme-test-marker-{student}"


# --- the README --------------------------------------------------------------------


def section_blocks(readme: Path = ROOT / "README.md") -> list[str]:
    """The fenced sh blocks of the round trip section, in order."""
    text = readme.read_text(encoding="utf-8")
    assert SECTION in text, f"README.md has no section {SECTION!r}"
    body = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```sh\n(.*?)^```$", body, flags=re.S | re.M)


def commands(block: str) -> list[str]:
    """A block's lines, with backslash continuations joined; comment lines stay (they are cues)."""
    lines: list[str] = []
    for line in block.splitlines():
        if lines and lines[-1].endswith("\\"):
            lines[-1] = lines[-1][:-1] + line.lstrip()
        elif line.strip():
            lines.append(line.strip())
    return lines


def the_blocks() -> tuple[list[str], list[str], list[str]]:
    blocks = section_blocks()
    instructor = next(b for b in blocks if "nbgrader generate_assignment" in b)
    submit = next(b for b in blocks if "fetch_assignment" in b and "nbgrader submit" in b)
    feedback = next(b for b in blocks if "fetch_feedback" in b and "fetch_assignment" not in b)
    return commands(instructor), commands(submit), commands(feedback)


def as_student(block: list[str], student: str) -> list[str]:
    """A student block for another student, as the README says: change its `student=ada` line."""
    assert "student=ada" in block, "the README's student blocks set student=ada for the reader to change"
    return [f"student={student}" if line == "student=ada" else line for line in block]


# --- one shell, command by command --------------------------------------------------


@dataclass
class Ran:
    command: str
    returncode: int
    output: str


@dataclass
class Shell:
    """A POSIX sh that keeps its folder and variables between commands, as a terminal does."""

    cwd: Path
    env: dict[str, str]
    logs: Path
    ran: list[Ran] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(["sh"], cwd=self.cwd, env=self.env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def __call__(self, command: str, timeout: float = 300) -> Ran:
        out = self.logs / f"{len(self.ran):02d}.log"
        assert self.proc.stdin is not None and self.proc.stdout is not None
        # braces keep `cd` and variables in this shell; the newline ends a trailing comment
        self.proc.stdin.write(f"{{ {command}\n}} >'{out}' 2>&1; echo \"__rc__ $?\"\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        assert ready, f"{command!r} ran for more than {timeout} s"
        status = self.proc.stdout.readline()
        assert status.startswith("__rc__ "), f"the shell ended at {command!r}: {status!r}"
        ran = Ran(command, int(status.split()[1]), out.read_text(errors="replace"))
        self.ran.append(ran)
        return ran

    def must(self, command: str) -> Ran:
        ran = self(command)
        assert ran.returncode == 0, f"`{command}` failed ({ran.returncode}):\n{ran.output[-4000:]}"
        for alarm in ALARMS:
            assert alarm not in ran.output, f"`{command}` said {alarm!r}:\n{ran.output[-4000:]}"
        return ran

    def pwd(self) -> Path:
        return Path(self("pwd").output.strip())

    def close(self) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


# --- what people do at the comment lines ------------------------------------------------


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def student_works(folder: Path, student: str) -> None:
    """In JupyterLab: ada solves the exercise and saves her answers; both write reflections."""
    path = folder / "alliance" / "alliance.ipynb"
    assert path.is_file(), f"nothing was fetched into {folder}"
    nb = nbformat.read(path, as_version=4)
    if student == "ada":
        source = nbformat.read(COURSE / "source" / "alliance" / "alliance.ipynb", as_version=4)
        solution = cell(source, "find_rupture_and_repair").source
        cell(nb, "find_rupture_and_repair").source = "\n".join(
            line for line in solution.splitlines() if "SOLUTION" not in line)
        instrument = instrument_of("alliance")
        ResponseStore(folder / "alliance", "alliance").save_answers(instrument, complete_answers(instrument))
    for grade_id in REFLECTIONS:
        cell(nb, grade_id).source = f"{marker(student)}: a de-identified account ({grade_id})."
    nbformat.write(nb, path)


def grade_by_hand(course: Path) -> None:
    """As in the Formgrader: ada's reflections 2 points each, ben's 1."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "coursekit") as gb:
        for student, points in [("ada", 2), ("ben", 1)]:
            for grade_id in REFLECTIONS:
                gb.find_grade(grade_id, "alliance", "alliance", student).manual_score = points
        gb.db.commit()


# --- the test ------------------------------------------------------------------------------


def repository_copy(dest: Path) -> Path:
    """What the README's commands touch: the root's nbgrader_config.py and the course."""
    dest.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", dest)
    copy_course(dest / "course")
    return dest


def clean_env(home: Path) -> dict[str, str]:
    """The tools' environment with a HOME of its own and no setting that would point elsewhere."""
    env = tool_env(HOME=str(home))
    for name in ("JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
                 "COURSEKIT_DB_URL", "COURSEKIT_EXCHANGE", "JUPYTER_PATH", "JUPYTER_CONFIG_PATH"):
        env.pop(name, None)
    import coursekit  # the commands run this coursekit, the one under test

    env["PYTHONPATH"] = os.pathsep.join(
        p for p in [str(Path(coursekit.__file__).parent.parent), env.get("PYTHONPATH", "")] if p)
    return env


@pytest.mark.nbgrader
def test_the_readme_round_trip_runs_as_written(tmp_path):
    instructor, submit, fetch_feedback = the_blocks()
    repo = repository_copy(tmp_path / "repo")
    home = tmp_path / "home"
    home.mkdir()
    sh = Shell(repo, clean_env(home), tmp_path / "logs")
    cues = []
    try:
        for line in instructor:
            if not line.startswith("#"):
                sh.must(line)
            elif "submit" in line:
                cues.append("submit")
                for student in STUDENTS:
                    for step in as_student(submit, student):
                        if step.startswith("# work"):
                            student_works(sh.pwd(), student)
                        elif not step.startswith("#"):
                            sh.must(step)
            elif "by hand" in line:
                cues.append("grade")
                grade_by_hand(sh.pwd())
            elif "feedback" in line:
                cues.append("feedback")
                for student in STUDENTS:
                    for step in as_student(fetch_feedback, student):
                        if not step.startswith("#"):
                            sh.must(step)
        assert cues == ["submit", "grade", "feedback"], cues
        assert sh.pwd() == repo / "course"  # every student block came back to course/
    finally:
        sh.close()

    course = repo / "course"
    assert (course / "exchange" / "coursekit" / "outbound" / "alliance" / "alliance.ipynb").is_file()
    for student in STUDENTS:
        assert (course / "submitted" / student / "alliance" / "alliance.ipynb").is_file()
    autograde = next(r for r in sh.ran if r.command.startswith("nbgrader autograde"))
    assert "checksum" not in autograde.output

    # who received what: each student their own feedback, and only theirs
    for student in STUDENTS:
        received = sorted((repo / "students" / student / "alliance" / "feedback").rglob("*.html"))
        assert len(received) == 1, (student, received)
        html = received[0].read_text()
        assert marker(student) in html, student
        for other in STUDENTS:
            if other != student:
                assert marker(other) not in html, f"{student} received {other}'s feedback"

    # the instructor's own nbgrader cache was never used: each student's cache is in their folder
    assert not (home / ".local" / "share" / "jupyter" / "nbgrader_cache").exists()
    assert not [p for p in home.rglob("*") if "nbgrader_cache" in p.name]
    for student in STUDENTS:
        cached = list((repo / "students" / student / ".nbgrader_cache" / "coursekit").iterdir())
        assert [p.name.split("+")[0] for p in cached] == [student]

    with open(course / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(STUDENTS)
    # ada: exercise 4 + completion 2 + reflections 6 x 2; ben: reflections 6 x 1
    assert {s: float(rows[s]["score"]) for s in STUDENTS} == {"ada": 18.0, "ben": 6.0}
    assert not (repo / "gradebook.db").exists()


@pytest.mark.nbgrader
def test_nbgrader_run_from_the_repository_root_works_on_the_course(tmp_path):
    repo = repository_copy(tmp_path / "repo")
    run(["nbgrader", "generate_assignment", "alliance"], cwd=repo, env=clean_env(tmp_path / "home"))
    assert (repo / "course" / "release" / "alliance" / "alliance.ipynb").is_file()
    assert (repo / "course" / "gradebook.db").is_file()
    assert sorted(p.name for p in repo.iterdir()) == ["course", "nbgrader_config.py"]


def test_what_the_round_trip_leaves_behind_is_ignored_by_git():
    paths = ["course/grades.csv", "grades.csv", "gradebook.db", "course/gradebook.db",
             "students/ada/alliance/alliance.ipynb", "students/ada/.nbgrader_cache/x",
             "course-sim/gradebook.db", "course/exchange/coursekit/inbound/x",
             "course/feedback/ada/alliance/alliance.html"]
    result = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=ROOT,
                            capture_output=True, text=True)
    assert sorted(result.stdout.split()) == sorted(paths), result.stderr
