"""Where a simulated class lives, apart from the real students, and how it goes away.

``coursekit class simulate`` makes its students in a course folder of their own
by default: a copy of the course's settings (``coursekit.toml``), its nbgrader
config and ``source/``, in ``<course>-sim/`` beside the course (or the folder
given with ``--into``). The copy's config gives it a gradebook and an exchange
of its own, whatever the environment says (``COURSEKIT_DB_URL``,
``COURSEKIT_EXCHANGE``), so the real course's Formgrader, grades and cohort
report never see a simulated student. A file named :data:`MARK` marks such a
folder; simulating into a folder without it (a real course) needs ``--mix``.

:func:`find_simulated` and :func:`remove_simulated` take simulated students
out of any course, a simulation folder or a real one they were mixed into:
their ``submitted/``, ``autograded/`` and ``feedback/`` folders, their
submissions and released feedback in the exchange, and their gradebook rows.
Only ids of the form simulate gives (``sim-`` and digits) are touched.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from coursekit.content.manifest import COURSE_SETTINGS
from coursekit.errors import SimulationError
from coursekit.grading.config import CONFIG_FILE, load_course_config
from coursekit.grading.gradebook import configured_db_url, open_gradebook, redacted, sqlite_file

MARK = ".coursekit-simulation"
SIMULATED_ID = re.compile(r"sim-\d+")  # what coursekit.grading.simulate.student_ids makes
STEPS = ("submitted", "autograded", "feedback")  # nbgrader's per-student folders

# Appended to the copy of the course's nbgrader_config.py: last, so it wins over the
# course's settings and the environment.
APART = '''
# --- Added by `coursekit class simulate`. This folder is a simulated class's course, a copy
# of {course}. It keeps a gradebook and an exchange of its own, whatever the settings above
# or the environment (COURSEKIT_DB_URL, COURSEKIT_EXCHANGE) say, so that simulated students
# never reach the real course. Delete the folder to remove them all.
import os as _os

c = get_config()  # noqa: F821
_here = _os.path.dirname(_os.path.abspath(__file__))
c.CourseDirectory.root = _here
c.CourseDirectory.db_url = "sqlite:///" + _os.path.join(_here, "gradebook.db")
c.Exchange.root = _os.path.join(_here, "exchange")
c.ExchangeCollect.check_owner = False  # every simulated submission is the instructor's
'''


def is_simulation(folder: str | Path) -> bool:
    """Whether ``folder`` is a simulated class's course made by :func:`simulation_course`."""
    return (Path(folder) / MARK).is_file()


def default_folder(course: str | Path) -> Path:
    """Where a course's simulated classes go unless told: ``<course>-sim`` beside it."""
    course = Path(course).resolve()
    return course.parent / f"{course.name}-sim"


def simulation_course(course: str | Path, into: str | Path | None = None,
                      mix: bool = False) -> tuple[Path, list[str]]:
    """The course folder to simulate into, made or refreshed; and what was done to it.

    With ``mix`` the course itself (simulated students beside the real ones). A
    course that is itself a simulation folder is used as it is. Otherwise
    ``into`` (default :func:`default_folder`) gets a fresh copy of the course's
    settings, config and source. Raises SimulationError, saying what to do,
    when that folder is the course, lies inside it, or is not a simulation folder.
    """
    course = Path(course).resolve()
    if mix:
        if into is not None:
            raise SimulationError("Give --into (a folder of its own) or --mix (into the course, "
                                  "beside its real students), not both.")
        return course, []
    if into is None and is_simulation(course):
        return course, []
    target = Path(into).resolve() if into is not None else default_folder(course)
    if target == course or course in target.parents:
        raise SimulationError(
            f"{target} is {'the course itself' if target == course else 'inside the course'} "
            f"({course}): simulated students there would mix with the real ones in the "
            "Formgrader, the grades and the report. Name a folder outside the course with --into, "
            "or give --mix if you do mean to add them to the course.")
    if target.exists() and any(target.iterdir()) and not is_simulation(target):
        raise SimulationError(
            f"{target} exists and was not made by `coursekit class simulate` (it has no {MARK}); "
            "it may be a real course. Name another folder with --into, or give --mix to add "
            "simulated students to a real course on purpose.")
    if not (course / COURSE_SETTINGS).is_file():
        raise SimulationError(f"{course} is not a course (it has no {COURSE_SETTINGS}). "
                              "Name the course folder with --course.")
    fresh = not is_simulation(target)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(course / COURSE_SETTINGS, target / COURSE_SETTINGS)
    shutil.copytree(course / "source", target / "source", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "coursekit-responses*"))
    config = course / CONFIG_FILE
    settings = config.read_text(encoding="utf-8") if config.is_file() else ""
    (target / CONFIG_FILE).write_text(settings + APART.format(course=course), encoding="utf-8")
    (target / MARK).write_text(json.dumps({"copy_of": str(course)}, indent=2) + "\n", encoding="utf-8")
    what = "copied" if fresh else "refreshed the copy of"
    return target, [f"{what} the course's settings, nbgrader config and source/ in {target} "
                    "(a gradebook and an exchange of its own)"]


# --- removal ---------------------------------------------------------------------------


@dataclass
class SimulatedRemains:
    """Everything simulated students left in one course."""

    course: Path
    db_url: str
    students: list[str] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)  # submitted/, autograded/, feedback/
    exchange: list[Path] = field(default_factory=list)  # submissions, released feedback
    in_gradebook: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.folders or self.exchange or self.in_gradebook)

    def describe(self) -> str:
        shown = ", ".join(self.students[:3]) + (f" ... {self.students[-1]}" if len(self.students) > 3 else "")
        return (f"{len(self.students)} simulated students ({shown}) in {self.course}:\n"
                f"  {len(self.folders)} folders in {', '.join(s + '/' for s in STEPS)}\n"
                f"  {len(self.exchange)} submissions and released feedback in the exchange\n"
                f"  {len(self.in_gradebook)} students with their grades in the gradebook "
                f"{redacted(self.db_url)}")


def find_simulated(course: str | Path) -> SimulatedRemains:
    """What simulated students (``sim-`` and digits) left in the course; nothing is changed."""
    course = Path(course).resolve()
    config = load_course_config(course)
    db_url = configured_db_url(config)
    found = SimulatedRemains(course, db_url)
    for step in STEPS:
        folder = course / step
        if folder.is_dir():
            found.folders += sorted(p for p in folder.iterdir() if SIMULATED_ID.fullmatch(p.name))
    course_id = config.CourseDirectory.get("course_id") or ""
    exchange = Path(str(config.Exchange.get("root", ""))) / course_id if course_id else None
    if exchange is not None and exchange.is_dir():
        inbound = exchange / "inbound"
        if inbound.is_dir():
            found.exchange += sorted(p for p in inbound.iterdir()
                                     if SIMULATED_ID.fullmatch(p.name.split("+", 1)[0]))
        found.exchange += _released_feedback(course, exchange / "feedback")
    database = sqlite_file(db_url, course)
    if database is None or database.is_file():  # never create a gradebook to look in it
        with open_gradebook(db_url, course_id) as gradebook:
            found.in_gradebook = sorted(s.id for s in gradebook.students
                                        if SIMULATED_ID.fullmatch(s.id))
    ids = {p.name for p in found.folders} | set(found.in_gradebook)
    ids |= {p.name.split("+", 1)[0] for p in found.exchange if "+" in p.name}
    found.students = sorted(ids)
    return found


def _released_feedback(course: Path, released: Path) -> list[Path]:
    """The exchange's copies of simulated students' feedback: nbgrader names each by a hash of
    the submission's secret and the notebook, kept beside the feedback in feedback/<student>/."""
    if not released.is_dir():
        return []
    from nbgrader.utils import notebook_hash

    found = []
    for secret_file in sorted((course / "feedback").glob("sim-*/*/submission_secret.txt")):
        if not SIMULATED_ID.fullmatch(secret_file.parent.parent.name):
            continue
        secret = secret_file.read_text(encoding="utf-8")
        for page in sorted(secret_file.parent.glob("*.html")):
            copy = released / f"{notebook_hash(secret=secret, notebook_id=page.stem)}.html"
            if copy.is_file():
                found.append(copy)
    return found


def remove_simulated(found: SimulatedRemains) -> None:
    """Delete what :func:`find_simulated` found: folders, exchange entries, gradebook rows."""
    # the exchange first: its released feedback is found through the feedback/ folders
    for path in [*found.exchange, *found.folders]:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    if found.in_gradebook:
        course_id = load_course_config(found.course).CourseDirectory.get("course_id") or ""
        with open_gradebook(found.db_url, course_id) as gradebook:
            for student in found.in_gradebook:
                gradebook.remove_student(student)  # and their submissions and grades


__all__ = ["MARK", "SimulatedRemains", "default_folder", "find_simulated", "is_simulation",
           "remove_simulated", "simulation_course"]
