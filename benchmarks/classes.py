"""Simulated classes for the report benchmarks (audit.py, report_utility.py): the answer files
`coursekit class simulate` would make for one module, as the cohort report reads them.

coursekit is imported when a class is made, not here: report_utility.py runs this with an
older export of the code first on the path.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any


def simulated_class(source: Path, module: str, n: int, seed: int) -> list[Any]:
    """``n`` students' answers to ``module``'s instrument (coursekit.cohort.summary.StudentAnswers),
    with the same mix of complete, incomplete, malformed and missing files as `class simulate`."""
    from coursekit.cohort.summary import StudentAnswers
    from coursekit.content.manifest import load_module
    from coursekit.grading.simulate import COMPLETE, INCOMPLETE, MISSING, plan_class, simulated_answers

    instrument = load_module(source / module).instrument()
    students = []
    for student in plan_class(module, n, seed):
        if student.answers == MISSING:
            students.append(StudentAnswers(student.id, "missing", {}, "no file"))
            continue
        if student.answers not in (COMPLETE, INCOMPLETE):
            students.append(StudentAnswers(student.id, "malformed", {}, "damaged"))
            continue
        answers = simulated_answers(instrument, student.id, seed)
        if student.answers == INCOMPLETE:
            dropped = random.Random(student.id).sample(sorted(answers), 2)
            answers = {k: v for k, v in answers.items() if k not in dropped}
        students.append(StudentAnswers(student.id, student.answers, answers))
    return students
