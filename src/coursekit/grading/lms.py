"""Grades for a learning management system: nbgrader's gradebook, one column per module.

For instructors: docs/grades.md (the sources for each format are named there).

``coursekit grades --format canvas|moodle|csv`` reads every student's score on
every module from the course's gradebook (the numbers ``nbgrader export``
writes: the submission's score less any late penalty, never below 0) and
writes one row per student and one column per module, keyed by the LMS's own
identifiers from a mapping file. The formats follow what each LMS documents
for its import:

Canvas (Gradebook > Import; Instructure's guide "How do I import grades in the
Gradebook?", and the importer in Canvas's source, app/models/gradebook_importer.rb)
    a header row ``Student, ID, SIS User ID, SIS Login ID, Section``, then one
    column per assignment; a second row whose first cell is ``Points Possible``
    gives each assignment's points. Canvas finds each student by ID (its own
    user id), else SIS User ID, else SIS Login ID, else by name; it matches an
    assignment column by its header (``Title`` or ``Title (id)``) and creates an
    assignment for a header it does not know.

Moodle (Grades > Import > CSV file; MoodleDocs "Grade import")
    a header row, then one row per student; on import the teacher maps one
    column to a user field ("Map from" the column, "Map to" useremail,
    useridnumber or username) and each other column to a grade item (or a new
    one). Moodle stops the whole import at a user it cannot find, and compares
    email addresses case-sensitively (MDL-29315), so every student here must be
    mapped and written exactly as Moodle holds them. No points row: Moodle would
    read it as a student.

csv
    the same table with nbgrader's ids and whatever the mapping file holds, for
    a spreadsheet or another system.

The mapping file is a CSV with a header row and a column ``nbgrader_id``; the
other columns it may have are in ``MAPPING_FIELDS`` (headers are matched
without regard to case, spaces or hyphens, so a Canvas roster's "SIS User ID"
reads as ``sis_user_id``). Other columns are ignored.

A module nobody submitted still gets its column; a student who did not submit a
module gets 0 for it, as in ``nbgrader export`` (or an empty cell with
``missing="blank"``, which both LMSs read as "leave as it is").

Refuses loudly, before writing anything, when there is nothing true to write:
the folder is not a course, it has no gradebook, the gradebook has no modules
or no graded submission, the mapping file is unusable, or students are not in
it (unless told to leave them out).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coursekit.errors import DataFileError, ExportError

FORMATS = ("canvas", "moodle", "csv")
MOODLE_IDENTIFIERS = {"email": "Email address", "idnumber": "ID number", "username": "Username"}
CANVAS_IDENTIFIERS = ("canvas_id", "sis_user_id", "sis_login_id")
# every column a mapping file may have, in the order the csv format writes them
MAPPING_FIELDS = ("name", "canvas_id", "sis_user_id", "sis_login_id", "section", "email", "idnumber",
                  "username")
_ALIASES = {"id": "canvas_id", "student": "name", "email_address": "email", "id_number": "idnumber",
            "nbgrader": "nbgrader_id", "student_id": "nbgrader_id"}
CANVAS_HEADER = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "Points Possible"


# --- the gradebook -------------------------------------------------------------------


@dataclass(frozen=True)
class Gradebook:
    """What the gradebook holds, as plain data: scores by (student, module), None where a
    student submitted nothing; and the submissions that still wait for manual grading."""

    where: str  # the gradebook, for messages (a password is never shown)
    modules: tuple[str, ...]  # in the course's order
    max_scores: Mapping[str, float]
    students: tuple[str, ...]
    scores: Mapping[tuple[str, str], float | None]
    ungraded: tuple[tuple[str, str], ...] = ()

    @property
    def submissions(self) -> int:
        return sum(1 for score in self.scores.values() if score is not None)


def read_gradebook(course: str | Path, modules: Sequence[str] | None = None) -> Gradebook:
    """Every student's score on every module (or on ``modules``), from the course's gradebook.

    Raises ExportError naming the folder when it is no course, has no gradebook
    (nbgrader would quietly make an empty one), or the gradebook holds no module
    or no graded submission.
    """
    from coursekit.grading.config import CONFIG_FILE, load_course_config
    from coursekit.grading.gradebook import configured_db_url, open_gradebook, redacted, sqlite_file

    folder = Path(course).resolve()
    run_from = Path.cwd()
    if not (folder / CONFIG_FILE).is_file():
        raise ExportError(
            f"{folder} is not a course folder (it has no {CONFIG_FILE}), so there are no grades to "
            f"export; nothing was written. Run `coursekit grades` from the course folder (this was "
            f"run from {run_from}), or name it with --course.")
    config = load_course_config(folder)
    db_url = configured_db_url(config)
    where = redacted(db_url)
    database = sqlite_file(db_url, config.CourseDirectory.root)
    if database is not None and not database.is_file():
        raise ExportError(
            f"The course {folder} has no gradebook yet ({database} does not exist), so there are no "
            "grades to export; nothing was written. Grade first (coursekit autograde MODULE), or "
            "run this from the course that holds the grades.")
    with open_gradebook(db_url, str(config.CourseDirectory.get("course_id", ""))) as gradebook:
        known = {a.name: a for a in gradebook.assignments}
        if not known:
            raise ExportError(f"The gradebook of {folder} ({where}) holds no modules, so there are no "
                              "grades to export; nothing was written. Run `nbgrader generate_assignment "
                              "MODULE` and grade the submissions first.")
        wanted = list(dict.fromkeys(modules)) if modules else _course_order(folder, known)
        unknown = [m for m in wanted if m not in known]
        if unknown:
            raise ExportError(f"The gradebook of {folder} ({where}) has no module "
                              f"{', '.join(map(repr, unknown))}; it has {', '.join(sorted(known))}. "
                              "Check the spelling.")
        students = tuple(sorted(s.id for s in gradebook.students))
        scores: dict[tuple[str, str], float | None] = {(s, m): None for s in students for m in wanted}
        ungraded = []
        max_scores = {}
        for module in wanted:
            assignment = known[module]
            max_scores[module] = float(assignment.max_score or 0.0)
            for submission in assignment.submissions:
                score = float(submission.score or 0.0) - float(submission.late_submission_penalty or 0.0)
                scores[(submission.student.id, module)] = max(0.0, score)  # as nbgrader export
                if submission.needs_manual_grade:
                    ungraded.append((submission.student.id, module))
    found = Gradebook(where, tuple(wanted), max_scores, students, scores, tuple(sorted(ungraded)))
    if not found.submissions:
        raise ExportError(
            f"The gradebook of {folder} ({where}) holds no graded submission of "
            f"{', '.join(wanted)}, so every grade would be empty; nothing was written. Run "
            "`coursekit autograde MODULE` first, or run this from the course that holds the grades.")
    return found


def _course_order(folder: Path, known: Mapping[str, Any]) -> list[str]:
    """The gradebook's modules in the order of the course's coursekit.toml, then any others."""
    from coursekit.content.manifest import load_course

    try:
        order = list(load_course(folder).module_ids)
    except DataFileError:
        order = []
    return [m for m in order if m in known] + sorted(m for m in known if m not in order)


# --- the mapping file ----------------------------------------------------------------


@dataclass(frozen=True)
class StudentMap:
    """The mapping file: for each nbgrader student id, the LMS's fields (MAPPING_FIELDS)."""

    path: str
    students: Mapping[str, Mapping[str, str]]
    fields: tuple[str, ...]  # the MAPPING_FIELDS the file has, in MAPPING_FIELDS order
    lines: Mapping[str, int] = field(default_factory=dict)  # nbgrader id -> its line in the file


def load_mapping(path: str | Path) -> StudentMap:
    """Read a student-id mapping file; raise DataFileError naming the file, the line and the
    field for anything that would put a grade on the wrong student."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")  # a spreadsheet's byte-order mark is fine
    except FileNotFoundError:
        raise DataFileError(path, "does not exist.", advice="Give the student-id mapping file "
                            "(a CSV with a column nbgrader_id) with --mapping.") from None
    except UnicodeDecodeError:
        raise DataFileError(path, "is not UTF-8 text.",
                            advice="Save it from the spreadsheet as CSV UTF-8.") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise DataFileError(path, "is empty: it needs a header row with nbgrader_id and the LMS's "
                            "fields, then one row per student.")
    header = [_field_name(cell) for cell in rows[0]]
    if "nbgrader_id" not in header:
        raise DataFileError(path, f"has no column nbgrader_id (its header is {', '.join(rows[0])}).",
                            advice="Name the column of nbgrader's student ids nbgrader_id.")
    fields = tuple(f for f in MAPPING_FIELDS if f in header)
    students: dict[str, dict[str, str]] = {}
    lines: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}
        student = values["nbgrader_id"]
        if not student:
            raise DataFileError(path, f"line {number} has no nbgrader_id.", field="nbgrader_id",
                                advice="Fill it in, or delete the line.")
        if student in students:
            raise DataFileError(path, f"lists {student} twice (lines {lines[student]} and {number}).",
                                field="nbgrader_id", advice="Keep one line per student.")
        students[student] = {name: values.get(name, "") for name in fields}
        lines[student] = number
    if not students:
        raise DataFileError(path, "has a header but no students.")
    return StudentMap(str(path), students, fields, lines)


def _field_name(header: str) -> str:
    name = "_".join(header.strip().lower().replace("-", " ").split())
    return _ALIASES.get(name, name)


# --- the table -----------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    """What was written, for the terminal."""

    path: Path
    format: str
    students: int
    modules: tuple[str, ...]
    left_out: tuple[str, ...] = ()  # unmapped students left out (allow_unmapped)
    not_in_gradebook: tuple[str, ...] = ()  # in the mapping file only
    ungraded: tuple[tuple[str, str], ...] = ()  # waiting for manual grading: partial scores


def export_grades(gradebook: Gradebook, fmt: str, out: str | Path, mapping: StudentMap | None = None, *,
                  allow_unmapped: bool = False, columns: Mapping[str, str] | None = None,
                  moodle_id: str = "email", missing: str = "zero") -> Export:
    """Write the gradebook's table in ``fmt`` (one of FORMATS) to ``out``; see the module docstring.

    ``columns`` renames module columns (module id -> the LMS's assignment name).
    Raises ExportError (nothing is written) for students missing from the
    mapping (unless ``allow_unmapped``), or missing the identifier the LMS
    needs, and for identifiers that repeat.
    """
    if fmt not in FORMATS:
        raise ExportError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}.")
    if fmt != "csv" and mapping is None:
        raise ExportError(f"The {fmt} format needs a student-id mapping file (--mapping FILE, a CSV "
                          f"with nbgrader_id and {_needed(fmt, moodle_id)}): nbgrader's ids mean "
                          f"nothing to {fmt.capitalize()}.")
    if fmt == "moodle" and moodle_id not in MOODLE_IDENTIFIERS:
        raise ExportError(f"--moodle-id must be one of {', '.join(MOODLE_IDENTIFIERS)}, not {moodle_id!r}.")
    if missing not in ("zero", "blank"):
        raise ExportError(f"--missing must be zero or blank, not {missing!r}.")
    headers = dict(columns or {})
    unknown = [m for m in headers if m not in gradebook.modules]
    if unknown:
        raise ExportError(f"--column names {', '.join(unknown)}, which is not among the modules "
                          f"exported ({', '.join(gradebook.modules)}).")

    students = list(gradebook.students)
    left_out: list[str] = []
    not_in_gradebook: tuple[str, ...] = ()
    if mapping is not None:
        unmapped = [s for s in students if s not in mapping.students]
        if unmapped and not allow_unmapped:
            raise ExportError(
                f"{len(unmapped)} student(s) in the gradebook are not in {mapping.path}: "
                f"{', '.join(unmapped)}. Add them to the mapping file, or pass --allow-unmapped to "
                "leave them out of the export; nothing was written.")
        left_out = unmapped
        students = [s for s in students if s in mapping.students]
        not_in_gradebook = tuple(sorted(set(mapping.students) - set(gradebook.students)))
        _check_identifiers(mapping, students, fmt, moodle_id)
    if not students:
        raise ExportError("No student of the gradebook is in the mapping file, so the export would "
                          "be empty; nothing was written. Check that its nbgrader_id column holds "
                          "nbgrader's student ids.")

    names = [headers.get(m, m) for m in gradebook.modules]
    table = _table(gradebook, fmt, students, mapping, names, moodle_id, missing)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(table)  # RFC 4180, as both LMSs read
    from coursekit.files import atomic_write

    out = Path(out)
    try:
        atomic_write(out, buffer.getvalue().encode("utf-8"))  # 0600: grades are personal data
    except OSError as exc:
        raise ExportError(f"Could not write {out}: {exc.strerror or exc}.") from None
    return Export(out, fmt, len(students), gradebook.modules, tuple(left_out), not_in_gradebook,
                  tuple(u for u in gradebook.ungraded if u[0] in students))


def _needed(fmt: str, moodle_id: str) -> str:
    if fmt == "canvas":
        return "at least one of " + ", ".join(CANVAS_IDENTIFIERS)
    return moodle_id


def _check_identifiers(mapping: StudentMap, students: Iterable[str], fmt: str, moodle_id: str) -> None:
    """Every exported student has the identifier the LMS finds them by, and none is shared."""
    wanted = CANVAS_IDENTIFIERS if fmt == "canvas" else (moodle_id,) if fmt == "moodle" else ()
    if not wanted:
        return
    present = [f for f in wanted if f in mapping.fields]
    if not present:
        raise DataFileError(mapping.path, f"has no column {' or '.join(wanted)}, which {fmt.capitalize()} "
                            "finds students by.", advice=f"Add the column (its header: {wanted[0]}).")
    students = list(students)
    lacking = [s for s in students if not any(mapping.students[s][f] for f in present)]
    if lacking:
        lines = ", ".join(f"{s} (line {mapping.lines[s]})" for s in lacking)
        raise DataFileError(mapping.path, f"gives no {' or '.join(present)} for {lines}.",
                            advice=f"{fmt.capitalize()} could not find these students; fill it in.")
    for f in present:
        seen: dict[str, str] = {}
        for s in students:
            value = mapping.students[s][f]
            key = value.lower() if f == "email" else value
            if value and key in seen:
                raise DataFileError(mapping.path, f"gives the same {f} {value!r} to {seen[key]} and {s}.",
                                    field=f, advice="Each student needs their own; correct the file.")
            seen.setdefault(key, s)


def _number(value: float | None, missing: str) -> str:
    if value is None:
        if missing == "blank":
            return ""
        value = 0.0
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _table(gradebook: Gradebook, fmt: str, students: Sequence[str], mapping: StudentMap | None,
           names: Sequence[str], moodle_id: str, missing: str) -> list[list[str]]:
    modules = gradebook.modules

    def scores(student: str) -> list[str]:
        return [_number(gradebook.scores[(student, m)], missing) for m in modules]

    if fmt == "canvas":
        assert mapping is not None
        points = [_number(gradebook.max_scores[m], "zero") for m in modules]
        rows = [[*CANVAS_HEADER, *names], [POINTS_POSSIBLE, "", "", "", "", *points]]
        for s in students:
            who = mapping.students[s]
            rows.append([who.get("name", "") or s, who.get("canvas_id", ""), who.get("sis_user_id", ""),
                         who.get("sis_login_id", ""), who.get("section", ""), *scores(s)])
        return rows
    if fmt == "moodle":
        assert mapping is not None
        return [[MOODLE_IDENTIFIERS[moodle_id], *names],
                *([mapping.students[s][moodle_id], *scores(s)] for s in students)]
    # csv: nbgrader's ids, then whichever of the mapping's fields are filled in
    fields = [f for f in mapping.fields if any(mapping.students[s][f] for s in students)] if mapping else []
    return [["nbgrader_id", *fields, *names],
            *([s, *(mapping.students[s][f] for f in fields), *scores(s)] if mapping else [s, *scores(s)]
              for s in students)]


def describe(export: Export, gradebook: Gradebook) -> str:
    """What the instructor reads after ``coursekit grades``."""
    lines = [f"Wrote {export.path}: {export.students} student(s) x {len(export.modules)} module(s) "
             f"({', '.join(export.modules)}), {export.format} format, from {gradebook.where}."]
    if export.format == "canvas":
        lines.append("Import it in Canvas: Grades > Import; its second row gives each module's points "
                     "possible. Canvas matches a column to an assignment of the same name and creates "
                     "one for a name it does not know (rename with --column MODULE=NAME).")
    elif export.format == "moodle":
        lines.append("Import it in Moodle: Grades > Import > CSV file; under 'Identify user by' map "
                     f"from '{export.path.name}''s first column to the user field it holds, and each "
                     "module column to its grade item.")
    if export.left_out:
        lines.append(f"Left out, not in the mapping file (--allow-unmapped): {', '.join(export.left_out)}.")
    if export.not_in_gradebook:
        lines.append(f"In the mapping file but not in the gradebook (no grades, not written): "
                     f"{', '.join(export.not_in_gradebook)}.")
    if export.ungraded:
        lines.append(f"{len(export.ungraded)} submission(s) still wait for manual grading in the "
                     "Formgrader, so their scores are only the automatic part: "
                     + ", ".join(f"{s} ({m})" for s, m in export.ungraded) + ".")
    return "\n".join(lines)


__all__ = ["FORMATS", "MAPPING_FIELDS", "MOODLE_IDENTIFIERS", "Export", "ExportError", "Gradebook",
           "StudentMap", "describe", "export_grades", "load_mapping", "read_gradebook"]
