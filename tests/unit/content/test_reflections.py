"""What a student is told before writing about clients and themself, and what graders grade against.

The safety statement in every opening, the rubric's criteria and rules, the
model answers graders read as full-mark examples, and time estimates a
student can meet.
"""

from __future__ import annotations

import math
import re

import nbformat
import pytest

from conftest import COURSE
from coursekit.content.cells import generate
from coursekit.content.manifest import load_course
from coursekit.content.notebooks import check_course, sync_course
from coursekit.content.scaffold import new_module
from coursekit.privacy.detector import find_identifiers

COURSE_SETTINGS = load_course(COURSE)
MODULES = COURSE_SETTINGS.modules()
PARTS = [(module.id, part.id) for module in MODULES if module.reflection
         for part in module.reflection.parts]
# The parts a criterion limited to some parts (the link to reading and evidence) applies to.
LINKED = [(module.id, part_id) for module in MODULES
          for criterion in COURSE_SETTINGS.rubric_for(module).criteria if criterion.parts
          for part_id in criterion.parts]
# Reflective writing, thinking included: about 20 words a minute.
WORDS_PER_MINUTE = 20


def module(module_id: str):
    return COURSE_SETTINGS.module(module_id)


def cell(module_id: str, spec: str) -> str:
    return generate(spec, module(module_id), COURSE_SETTINGS)[0].source


def committed(module_id: str, grade_id: str) -> str:
    nb = nbformat.read(COURSE / "source" / module_id / f"{module_id}.ipynb", as_version=4)
    return next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


# --- the safety statement -------------------------------------------------------


@pytest.mark.parametrize("module_id", COURSE_SETTINGS.module_ids)
def test_every_opening_says_what_may_be_left_out_who_reads_it_what_a_grade_is_and_where_support_is(
        module_id):
    opening = committed(module_id, "intro")
    safety = COURSE_SETTINGS.safety
    for text in (safety.heading, safety.choice, safety.instructor, safety.grading, safety.support,
                 *safety.contacts):
        assert text.strip() in opening, text
    # before the student starts: above the table of parts
    assert opening.index(safety.choice.strip()) < opening.index("| part | what you do | points |")


def test_the_default_wording_covers_what_students_need_to_know():
    safety = COURSE_SETTINGS.safety
    assert "leave out" in safety.choice.lower() and "history" in safety.choice
    assert "dislike 9/10" in safety.instructor and "not reported" in safety.instructor
    assert "fitness to practise" in safety.grading
    assert safety.contacts


def test_the_stuck_opening_says_what_happens_to_the_check_in_ratings():
    note = module("stuck").safety_note
    assert note is not None and "never graded" in note and "dislike 9/10" in note
    opening = committed("stuck", "intro")
    assert "> **In this module.**" in opening
    assert opening.index(COURSE_SETTINGS.safety.support.strip()) < opening.index("In this module")
    assert "*In this module*" in committed("stuck", "checkin_intro")
    assert [m.id for m in MODULES if m.safety_note] == ["stuck", "feedback"]


def test_the_feedback_opening_sends_a_student_with_a_client_at_risk_to_their_supervisor_now():
    note = module("feedback").safety_note
    assert note is not None and "risk procedure" in note and "supervisor today" in note
    assert "> **In this module.**" in committed("feedback", "intro")


def test_the_safety_statement_comes_from_coursekit_toml_and_sync_spreads_it(course_copy):
    settings = course_copy / "coursekit.toml"
    contact = COURSE_SETTINGS.safety.contacts[1]
    ours = "Student wellbeing, room 2.14, open weekdays;"
    settings.write_text(settings.read_text().replace(contact, ours))
    found = [str(p) for p in check_course(course_copy)]
    assert sum("('opening')" in p for p in found) == len(MODULES), found
    sync_course(course_copy)
    assert check_course(course_copy) == []
    for module_id in COURSE_SETTINGS.module_ids:
        nb = nbformat.read(course_copy / "source" / module_id / f"{module_id}.ipynb", as_version=4)
        assert f"    - {ours}" in nb.cells[0].source


def test_a_course_without_a_safety_statement_is_refused_with_what_to_add(course_copy):
    settings = course_copy / "coursekit.toml"
    text = settings.read_text()
    start, end = text.index("[safety]"), text.index("# How each part of a reflection is graded")
    settings.write_text(text[:start] + text[end:])
    found = [str(p) for p in check_course(course_copy)]
    assert len(found) == 1 and "coursekit.toml: field 'safety': is missing." in found[0], found
    assert "Add a [safety] table" in found[0]


# --- the rubric -------------------------------------------------------------------


@pytest.mark.parametrize("module_id", COURSE_SETTINGS.module_ids)
def test_each_criterion_is_described_at_every_level_and_the_points_per_part_stay_two(module_id):
    rubric = COURSE_SETTINGS.rubric_for(module(module_id))
    assert len(rubric.criteria) >= 2 and rubric.points == (2, 1, 0)
    assert {part.points for part in module(module_id).reflection.parts} == {rubric.top}
    source = committed(module_id, "rubric")
    assert "| criterion | 2 points | 1 point | 0 points |" in source
    for criterion in rubric.criteria:
        row = next(line for line in source.splitlines() if line.startswith(f"| **{criterion.title}**"))
        assert row.count(" | ") == 3, row
        for level in criterion.levels:
            assert level.text in row


@pytest.mark.parametrize("module_id", COURSE_SETTINGS.module_ids)
def test_no_rubric_grades_disclosure_and_an_identified_client_is_returned_not_marked_zero(module_id):
    rubric = COURSE_SETTINGS.rubric_for(module(module_id))
    source = committed(module_id, "rubric")
    assert "disclose is never graded" in rubric.not_graded and rubric.not_graded in source
    assert "submit again" in rubric.identifies_client and rubric.identifies_client in source
    for criterion in rubric.criteria:
        for level in criterion.levels:
            assert not re.search(r"identif|honest|depth|disclos", level.text), level.text
    assert not re.search(r"depth|honestly", module(module_id).reflection.intro)


@pytest.mark.parametrize(("module_id", "part_id"), PARTS)
def test_each_prompt_shows_the_criteria_of_its_part_beside_the_answer(module_id, part_id):
    """A grader reads the rubric next to each answer, not once above six of them."""
    rubric = COURSE_SETTINGS.rubric_for(module(module_id))
    prompt = committed(module_id, f"reflection_{part_id}_prompt")
    shown = re.findall(r"^- \*\*(.+?)\*\*: (.+)$", prompt, re.MULTILINE)
    applies = [c for c in rubric.criteria if c.applies_to(part_id)]
    assert [title for title, _ in shown] == [c.title for c in applies]
    for (_, levels), criterion in zip(shown, applies, strict=True):
        for level in criterion.levels:
            assert f"{level.points:g} = {' '.join(level.text.split())}" in levels
    assert "*Graded on* (2, 1 or 0 points each" in prompt


def test_the_stuck_playbook_returns_an_identified_client_too():
    prompt = committed("stuck", "playbook_prompt")
    zero = prompt[prompt.index("0 = "):]
    assert "identif" in zero and "submit again" in zero
    assert not re.search(r"0 = [^.]*identified", prompt)


def test_the_link_to_reading_and_evidence_is_asked_for_from_evaluation_on():
    rubric = COURSE_SETTINGS.rubric
    link = next(c for c in rubric.criteria if c.parts is not None)
    assert link.parts == ("evaluation", "analysis", "conclusion", "action_plan")
    assert f"| **{link.title}** (parts 3 to 6) |" in committed("alliance", "rubric")
    assert "(parts 2 and 3) |" in committed("portfolio", "rubric")


def test_a_criterion_naming_a_part_a_module_lacks_is_caught(course_copy):
    settings = course_copy / "coursekit.toml"
    settings.write_text(settings.read_text().replace('"conclusion", "action_plan"]',
                                                     '"conclusion", "plan"]'))
    found = [str(p) for p in check_course(course_copy)]
    # every module but the portfolio, which has criteria of its own
    assert len(found) == len(MODULES) - 1, found
    assert all("field 'rubric.criteria.2.parts'" in p and "names the part 'plan'" in p for p in found)


def test_a_module_criterion_naming_a_part_it_lacks_is_caught(course_copy):
    manifest = course_copy / "source" / "portfolio" / "module.toml"
    manifest.write_text(manifest.read_text().replace('["making_sense", "looking_forward"]',
                                                     '["making_sense", "forward"]'))
    found = [str(p) for p in check_course(course_copy)]
    assert len(found) == 1 and "field 'reflection.rubric.criteria.2.parts'" in found[0], found
    assert "'forward'" in found[0] and "looking_back, making_sense, looking_forward" in found[0]


def test_criteria_whose_levels_differ_are_refused(course_copy):
    settings = course_copy / "coursekit.toml"
    text = settings.read_text()
    own_part = text.index('title = "Your own part"')
    text = text[:own_part] + text[own_part:].replace("{ points = 1,", "{ points = 1.5,", 1)
    settings.write_text(text)
    found = [str(p) for p in check_course(course_copy)]
    assert len(found) == 1 and "field 'rubric.criteria.1.levels'" in found[0], found
    assert "worth 2, 1.5, 0 points" in found[0]


def test_an_old_style_rubric_is_refused_with_the_new_format(course_copy):
    settings = course_copy / "coursekit.toml"
    text = settings.read_text()
    settings.write_text(text[:text.index("[rubric]")] + '''[[rubric.levels]]
points = 2
text = "specific and concrete"
''')
    found = [str(p) for p in check_course(course_copy)]
    assert len(found) == 1 and "field 'rubric" in found[0], found
    assert "[[rubric.criteria]]" in found[0]


# --- the model answers ---------------------------------------------------------------


@pytest.mark.parametrize(("module_id", "part_id"), PARTS)
def test_every_model_answer_is_as_long_as_the_prompt_asks(module_id, part_id):
    reflection = module(module_id).reflection
    answer = next(p.model_answer for p in reflection.parts if p.id == part_id)
    fewest, most = reflection.words
    assert fewest <= len(answer.split()) <= most, (len(answer.split()), reflection.words)
    assert f"**Length.** {fewest} to {most} words per part" in committed(module_id, "rubric")


def test_the_length_asked_for_is_80_to_200_words_except_in_the_shorter_portfolio():
    assert {m.id: m.reflection.words for m in MODULES} == {
        **{m: (80, 200) for m in ("alliance", "craft", "stuck", "breakthroughs", "relationship",
                                   "feedback")},
        "portfolio": (100, 250)}


@pytest.mark.parametrize(("module_id", "part_id"), PARTS)
def test_every_model_answer_passes_the_privacy_check(module_id, part_id):
    answer = next(p.model_answer for p in module(module_id).reflection.parts if p.id == part_id)
    assert find_identifiers(answer) == []


@pytest.mark.parametrize(("module_id", "part_id"), LINKED)
def test_model_answers_from_evaluation_on_cite_the_reading_or_the_evidence(module_id, part_id):
    answer = next(p.model_answer for p in module(module_id).reflection.parts if p.id == part_id)
    cues = (r"\(\d{4}\)|et al\.|colleagues|essay|editors|Shedler|Bordin|Herman"
            r"|my (?:self-)?(?:ratings|profile|check-in|placement)|practice month|subscale"
            r"|prediction|cohort|evidence|data|criteria")
    assert re.search(cues, answer, re.IGNORECASE), answer


def test_the_committed_model_answers_are_the_manifests():
    for module_id, part_id in PARTS:
        answer = next(p.model_answer for p in module(module_id).reflection.parts if p.id == part_id)
        assert committed(module_id, f"reflection_{part_id}") == answer.strip()


# --- time -----------------------------------------------------------------------------

TIME = re.compile(r"About (\d+) to (\d+) minutes: (.+)\.")
STEP = re.compile(r"(\d+)(?: to (\d+))? (?:to|for) (.+)")


def assert_time_leaves_room_to_write(m) -> None:
    found = TIME.fullmatch(m.time.strip())
    assert found, f"{m.id}: the time should read 'About A to B minutes: N to ..., N for ...'"
    steps = [STEP.fullmatch(step) for step in found.group(3).split(", ")]
    assert all(steps), found.group(3)
    low = sum(int(s.group(1)) for s in steps)
    high = sum(int(s.group(2) or s.group(1)) for s in steps)
    assert (int(found.group(1)), int(found.group(2))) == (low, high)
    writing = next(s for s in steps if s.group(3) == "write the reflection")
    fewest, most = m.reflection.words
    parts = len(m.reflection.parts)
    assert int(writing.group(1)) >= math.ceil(parts * fewest / WORDS_PER_MINUTE)
    assert int(writing.group(2)) >= math.ceil(parts * most / WORDS_PER_MINUTE)


@pytest.mark.parametrize("module_id", COURSE_SETTINGS.module_ids)
def test_the_time_is_the_sum_of_its_steps_and_leaves_room_to_write(module_id):
    """Six parts of 80 to 200 words at about 20 words a minute is 24 to 60 minutes of writing."""
    assert_time_leaves_room_to_write(module(module_id))


def test_a_new_module_starts_with_an_honest_time(course_copy):
    new_module(course_copy, "supervision", "Using supervision")
    assert_time_leaves_room_to_write(load_course(course_copy).module("supervision"))
