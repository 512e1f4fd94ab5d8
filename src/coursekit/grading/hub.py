"""A class on a shared server: where courses and their exchange live, who may open what, and
how to lay it out.

One root folder (``/srv/nbgrader`` unless told otherwise) holds every course of the server::

    ROOT/                       root:root  0755
      courses/                  root:root  0755
        COURSE/                 root:G     2770  the nbgrader course folder: graders only
      exchange/                 root:root  0755
        COURSE/                 root:S     0750  enrolled students and the graders
          outbound/             root:G     2775  released modules: graders write, students read
          inbound/              root:G     3773  submissions: students create, cannot list
          feedback/             root:G     3773  students create their own folder, cannot list
            STUDENT/            STUDENT:G  2770  one student's feedback: that student and G

G is the course's graders group (its instructors), S its students group (its students and its
graders). What keeps one student's work from another is Unix itself, checked by the kernel for
every process: a submission is a folder only its student and G may open (2750, its files 0640),
in an inbound folder nobody but G may list and whose sticky bit stops anyone from renaming or
deleting what they do not own; feedback goes into a folder that belongs to its student. So the
guarantee holds for any program a student runs, not only for nbgrader's. The exchange classes
that keep to this layout are in ``coursekit.grading.exchange``; ``setup_course`` (run as root,
``coursekit hub setup``) makes it, and every exchange operation checks it before it moves a file.

Imports only the standard library: the hub's configuration files import it.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import stat
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coursekit.errors import HubSetupError

DEFAULT_ROOT = Path("/srv/nbgrader")
ROOT_ENV = "COURSEKIT_HUB_ROOT"

# The modes of the layout (see the module's docstring), with why.
COURSE_DIR = 0o2770  # the course folder: gradebook, submitted/, autograded/, feedback/, reports/
EXCHANGE_COURSE = 0o0750  # only enrolled users (S) reach the course's exchange at all
OUTBOUND = 0o2775  # released material: students read it, only graders change it
INBOUND = 0o3773  # sticky: nobody renames or deletes another's entry; o=wx: create, never list
FEEDBACK = 0o3773  # the same: each student creates feedback/<self>/ on submitting
RELEASED_DIR, RELEASED_FILE = 0o2775, 0o0664
SUBMISSION_DIR, SUBMISSION_FILE = 0o2750, 0o0640  # the student and G read, nobody else
COLLECTED_DIR, COLLECTED_FILE = 0o2770, 0o0660  # in the course folder, for every grader
STUDENT_FEEDBACK_DIR = 0o2770  # feedback/<student>/: the student, and G who writes into it
FEEDBACK_FILE = 0o0644  # reachable only through its student's folder
SHARED_FILES = ("gradebook.db", ".nbgrader.log")  # in the course folder, 0660 for every grader
HOME = 0o0700  # a user's home, where fetched modules and nbgrader's submission cache live
# The single-user servers' umask (their config files set it): graders share files with G.
GRADER_UMASK, STUDENT_UMASK = 0o007, 0o077


@dataclass(frozen=True)
class Layout:
    """Where a server's courses and their exchange are."""

    root: Path

    @classmethod
    def from_env(cls) -> Layout:
        return cls(Path(os.environ.get(ROOT_ENV) or DEFAULT_ROOT))

    @property
    def courses(self) -> Path:
        return self.root / "courses"

    @property
    def exchange(self) -> Path:
        return self.root / "exchange"

    def course(self, course_id: str) -> Path:
        return self.courses / course_id

    def course_ids(self) -> list[str]:
        """Every course of the server (their names are not secret: courses/ is 0755)."""
        if not self.courses.is_dir():
            return []
        return sorted(p.name for p in self.courses.iterdir() if p.is_dir())

    def graded_by_me(self) -> list[str]:
        """The courses this process may grade: those whose folder's group it is in."""
        mine = set(os.getgroups()) | {os.getgid()}
        return [c for c in self.course_ids() if os.stat(self.course(c)).st_gid in mine]

    def graders_group(self, course_id: str) -> str:
        return grp.getgrgid(os.stat(self.course(course_id)).st_gid).gr_name

    def students_group(self, course_id: str) -> str:
        return grp.getgrgid(os.stat(self.exchange / course_id).st_gid).gr_name


def is_grader(user: str, layout: Layout) -> bool:
    """Whether the Unix user is in the graders group of any course of the server."""
    groups = {g.gr_gid for g in grp.getgrall() if user in g.gr_mem}
    groups.add(pwd.getpwnam(user).pw_gid)
    return any(os.stat(layout.course(c)).st_gid in groups for c in layout.course_ids())


def students_groups(layout: Layout) -> set[str]:
    """The Unix groups whose members may log in to the hub: every course's students group."""
    return {layout.students_group(c) for c in layout.course_ids() if (layout.exchange / c).is_dir()}


# --- nbgrader's configuration for the hub -------------------------------------------------

EXCHANGE_CLASSES = {
    "exchange": "Exchange", "fetch_assignment": "ExchangeFetchAssignment",
    "fetch_feedback": "ExchangeFetchFeedback", "release_assignment": "ExchangeReleaseAssignment",
    "release_feedback": "ExchangeReleaseFeedback", "list": "ExchangeList",
    "submit": "ExchangeSubmit", "collect": "ExchangeCollect",
}


def configure_nbgrader(c: Any, layout: Layout) -> Path | None:
    """Set what every user's nbgrader needs on this server, on nbgrader's config object ``c``:
    coursekit's exchange over ``layout``, course folders in the module's path
    (a student in two courses sees both), and files shared within the graders' group.

    Returns the course folder this user grades when there is exactly one (the config file
    then loads that course's own nbgrader_config.py), else None.
    """
    for trait, name in EXCHANGE_CLASSES.items():
        setattr(c.ExchangeFactory, trait, f"coursekit.grading.exchange.{name}")
    c.Exchange.root = str(layout.exchange)
    # Fetched modules go to ~/COURSE/MODULE: two courses may have modules of the same name.
    c.Exchange.path_includes_course = True
    # Graders share the course folder: nbgrader makes its files group-writable (g+ws).
    c.CourseDirectory.groupshared = True
    # nbgrader's converters chmod what they write (autograded/, feedback/) to 0444 or 0664 by
    # default, world-readable; here, for the graders only. (nbgrader reads the digits as octal.)
    c.BaseConverter.permissions = 660
    graded = layout.graded_by_me()
    return layout.course(graded[0]) if len(graded) == 1 else None


HUB_BLOCK_START = "# --- coursekit hub: written by `coursekit hub setup`"
HUB_BLOCK_END = "# --- end of coursekit hub"


def hub_block(course_id: str, layout: Layout) -> str:
    return (f"{HUB_BLOCK_START} (edits here are replaced) ---\n"
            f"# This course on a shared server: its id, its exchange, its files for graders only.\n"
            f"c.CourseDirectory.course_id = {course_id!r}\n"
            f"c.CourseDirectory.root = {str(layout.course(course_id))!r}\n"
            f"c.Exchange.root = {str(layout.exchange)!r}\n"
            f"c.CourseDirectory.groupshared = True\n"
            f"c.BaseConverter.permissions = 660\n"
            f"{HUB_BLOCK_END} ---\n")


def with_hub_block(text: str, block: str) -> str:
    """The config file's text with the hub block added at the end, or put in place of the old."""
    start, end = text.find(HUB_BLOCK_START), text.find(HUB_BLOCK_END)
    if start != -1 and end != -1:
        end = text.index("\n", end) + 1 if "\n" in text[end:] else len(text)
        return text[:start] + block + text[end:]
    return text.rstrip("\n") + "\n\n" + block


# --- setting up a course (as root) ----------------------------------------------------------


@dataclass(frozen=True)
class CourseSetup:
    course_id: str
    graders_group: str
    students_group: str
    graders: tuple[str, ...]
    students: tuple[str, ...]


def setup_course(layout: Layout, setup: CourseSetup, source: Path | None = None,
                 log: Any = print) -> None:
    """Make (or put right) a course's groups, folders and modes; idempotent. Needs root.

    Creates the two groups if missing and adds the users to them (graders to both); copies the
    course from ``source`` (its coursekit.toml, source/ and nbgrader_config.py) when the course
    folder has none yet, and writes the hub block into its nbgrader_config.py; makes every
    listed user's home 0700. Users themselves must exist (``useradd``): this never creates one.
    """
    if os.geteuid() != 0:
        raise HubSetupError("setting up a course needs root (it creates groups and sets owners); "
                            "run it with sudo.")
    _check_name(setup.course_id, "course id")
    users = (*setup.graders, *setup.students)
    for user in users:
        try:
            pwd.getpwnam(user)
        except KeyError:
            raise HubSetupError(f"user {user!r} does not exist: create it first "
                                f"(useradd --create-home {user}), then run this again.") from None
    graders_gid = _ensure_group(setup.graders_group, setup.graders, log)
    students_gid = _ensure_group(setup.students_group, (*setup.students, *setup.graders), log)
    if graders_gid == students_gid:
        raise HubSetupError("the graders group and the students group must differ: students "
                            "would read each other's submissions.")
    for folder in (layout.root, layout.courses, layout.exchange):
        _make(folder, 0, 0, 0o755)
    course = layout.course(setup.course_id)
    _make(course, 0, graders_gid, COURSE_DIR)
    exchange = layout.exchange / setup.course_id
    _make(exchange, 0, students_gid, EXCHANGE_COURSE)
    _make(exchange / "outbound", 0, graders_gid, OUTBOUND)
    _make(exchange / "inbound", 0, graders_gid, INBOUND)
    _make(exchange / "feedback", 0, graders_gid, FEEDBACK)
    if source is not None:
        _copy_course(source, course, graders_gid, log)
    # Files every grader writes, made now with the group's write bit: SQLite creates a database
    # 0644 (less the umask), which would leave the second grader unable to save a grade.
    for name in SHARED_FILES:
        if not (course / name).exists():
            (course / name).touch(mode=0o660)
            os.chown(course / name, 0, graders_gid)
            os.chmod(course / name, 0o660)
    config = course / "nbgrader_config.py"
    text = config.read_text(encoding="utf-8") if config.is_file() else "c = get_config()  # noqa: F821\n"
    config.write_text(with_hub_block(text, hub_block(setup.course_id, layout)), encoding="utf-8")
    os.chown(config, 0, graders_gid)
    os.chmod(config, 0o664)
    for user in users:
        home = Path(pwd.getpwnam(user).pw_dir)
        if home.is_dir() and stat.S_IMODE(home.stat().st_mode) != HOME:
            log(f"{home}: mode {stat.S_IMODE(home.stat().st_mode):04o} -> {HOME:04o} (private)")
            os.chmod(home, HOME)
    problems = audit_course(layout, setup.course_id)
    if problems:
        raise HubSetupError("the layout is still wrong after setting it up:\n  " + "\n  ".join(problems))
    log(f"course {setup.course_id}: {course} (graders {setup.graders_group}: "
        f"{', '.join(setup.graders) or 'none'}), exchange {exchange} (students "
        f"{setup.students_group}: {len(setup.students)})")


def _check_name(name: str, what: str) -> None:
    if not name or name.startswith((".", "-")) or any(ch in name for ch in "/+* \t\n"):
        raise HubSetupError(f"{what} {name!r} cannot be a folder name in the exchange: use letters, "
                            "digits, '-' and '_'.")


def _ensure_group(name: str, members: Iterable[str], log: Any) -> int:
    try:
        group = grp.getgrnam(name)
    except KeyError:
        _run(["groupadd", name])
        log(f"group {name}: created")
        group = grp.getgrnam(name)
    for user in members:
        if user not in group.gr_mem and pwd.getpwnam(user).pw_gid != group.gr_gid:
            _run(["usermod", "--append", "--groups", name, user])
            log(f"group {name}: added {user}")
    return group.gr_gid


def _run(cmd: list[str]) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise HubSetupError(f"{' '.join(cmd)} failed: {result.stderr.strip() or result.returncode}")


def _make(path: Path, uid: int, gid: int, mode: int) -> None:
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise HubSetupError(f"{path} is not a folder (a link or a file): move it away, then run "
                            "this again.")
    path.mkdir(mode=0o700, exist_ok=True)
    os.chown(path, uid, gid)
    os.chmod(path, mode)  # after chown: chown clears the setgid bit


def _copy_course(source: Path, course: Path, gid: int, log: Any) -> None:
    if (course / "source").exists():
        return
    for name in ("coursekit.toml", "nbgrader_config.py"):
        if (source / name).is_file():
            shutil.copy(source / name, course / name)
    shutil.copytree(source / "source", course / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "coursekit-responses*"))
    for dirpath, dirnames, filenames in os.walk(course):
        for name in filenames:
            os.chown(os.path.join(dirpath, name), 0, gid)
            os.chmod(os.path.join(dirpath, name), 0o664)
        for name in dirnames:
            os.chown(os.path.join(dirpath, name), 0, gid)
            os.chmod(os.path.join(dirpath, name), 0o2775)
    log(f"{course}: the course copied from {source}")


# --- checking it ----------------------------------------------------------------------------


def audit_course(layout: Layout, course_id: str) -> list[str]:
    """What is wrong with a course's layout (empty when all is as the module's docstring says)."""
    exchange = layout.exchange / course_id
    expected = [(layout.course(course_id), COURSE_DIR, "graders"),
                (exchange, EXCHANGE_COURSE, "students"),
                (exchange / "outbound", OUTBOUND, "graders"),
                (exchange / "inbound", INBOUND, "graders"),
                (exchange / "feedback", FEEDBACK, "graders")]
    problems = []
    groups: dict[str, set[int]] = {"graders": set(), "students": set()}
    for path, mode, group in expected:
        try:
            st = os.lstat(path)
        except OSError as exc:
            problems.append(f"{path}: {exc.strerror}")
            continue
        if not stat.S_ISDIR(st.st_mode):
            problems.append(f"{path}: not a folder")
        elif stat.S_IMODE(st.st_mode) != mode or st.st_uid != 0:
            problems.append(f"{path}: owner uid {st.st_uid}, mode {stat.S_IMODE(st.st_mode):04o}; "
                            f"expected root and {mode:04o}")
        groups[group].add(st.st_gid)
    if len(groups["graders"]) > 1:
        problems.append(f"{exchange}: the course folder and its exchange folders have different groups")
    if groups["graders"] & groups["students"]:
        problems.append(f"{exchange}: the graders group is also the students group")
    return problems
