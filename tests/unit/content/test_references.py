"""Every module ends with the full reference of every work it cites.

Citations are found in all the Markdown a module shows, generated and
hand-written, and matched to the module's reference list by first author and
year (coursekit.content.citations).
"""

from __future__ import annotations

from typing import Any

import nbformat
import pytest

from conftest import COURSE, MODULES, module_of
from coursekit.content.citations import cited, reference_key
from coursekit.content.manifest import load_course


def notebook(module: str) -> Any:
    return nbformat.read(COURSE / "source" / module / f"{module}.ipynb", as_version=4)


def spec(cell: Any) -> str | None:
    return cell.metadata.get("coursekit", {}).get("generated")


def reference_list(nb: Any) -> list[str]:
    (cell,) = [c for c in nb.cells if spec(c) == "references"]
    return [line[2:] for line in cell.source.splitlines() if line.startswith("- ")]


# --- finding citations and reading references ------------------------------------------


@pytest.mark.parametrize(("text", "keys"), [
    ("with **Gibbs' reflective cycle** (Gibbs 1988), one part", {("gibbs", 1988)}),
    ("follows Gibbs's (1988) cycle, and Schön's (1983) reflection-in-action",
     {("gibbs", 1988), ("schön", 1983)}),
    ("(Flückiger, Del Re, Wampold & Horvath 2018), about 8%", {("flückiger", 2018)}),
    ("r = .29 over 11 studies (Eubanks, Muran & Safran 2018).", {("eubanks", 2018)}),
    ("(r = .28 over 295 studies; Norcross & Lambert 2018)", {("norcross", 2018)}),
    ("among the therapists Chow and colleagues (2015) studied", {("chow", 2015)}),
    ("in the part of Chow and colleagues' (2015) study", {("chow", 2015)}),
    ("For the task force on therapy relationships, Hayes and colleagues (2018) pooled", {("hayes", 2018)}),
    ("Howard, Kopta, Krause and Orlinsky (1986) pooled", {("howard", 1986)}),
    ("Tryon, Birch and Verkuilen (2018) pooled the studies", {("tryon", 2018)}),
    ("as Flückiger et al. 2018 found; Norcross & Lambert 2018 list",
     {("flückiger", 2018), ("norcross", 2018)}),
    ("(e.g., Ericsson, 1996, 2006; Ericsson, Krampe, & Tesch-Romer, 1993)",
     {("ericsson", 1993), ("ericsson", 1996), ("ericsson", 2006)}),
    ("Bordin's (1979) three parts", {("bordin", 1979)}),
])
def test_citations_are_found_in_the_forms_the_course_writes(text, keys):
    assert cited(text) == keys


@pytest.mark.parametrize("text", [
    "Write it as YYYY-MM-DD, for example 2027-03-15.", "(2 points)", "(0 to 100 clients out of 100)",
    "Psychotherapy Networker editorial staff (May/June 2020).", "Jonathan Shedler (11 June 2021).",
    "The task force (2018) said", "in 2018 the review", "(June 2021)", "Shedler's three elements",
])
def test_numbers_and_dates_that_are_no_citation_are_not_taken_for_one(text):
    assert cited(text) == set()


def test_a_reference_is_keyed_by_its_first_author_and_year():
    assert reference_key("Gibbs, G. (1988). *Learning by doing*. Further Education Unit.") == ("gibbs", 1988)
    assert reference_key("Schön, D. A. (1983). *The reflective practitioner*.") == ("schön", 1983)
    assert reference_key("Jonathan Shedler (11 June 2021). *These are the 3 necessary*.") == ("shedler", 2021)
    assert reference_key("Rich Simon (undated). *The In-Session Breakthrough Fantasy*.") is None


# --- the course's reference lists -------------------------------------------------------


@pytest.mark.parametrize("module", MODULES)
def test_every_work_a_module_cites_has_its_full_reference_in_the_module(module):
    nb = notebook(module)
    assert spec(nb.cells[-1]) == "references", "the reference list is the module's last cell"
    listed = {reference_key(reference) for reference in reference_list(nb)}
    for index, cell in enumerate(nb.cells, 1):
        if cell.cell_type != "markdown" or spec(cell) == "references":
            continue
        missing = cited(cell.source) - listed
        assert not missing, (f"{module}.ipynb, cell {index} ({cell.id}) cites {sorted(missing)} "
                             "without a full reference")


@pytest.mark.parametrize("module", MODULES)
def test_a_module_lists_no_shared_reference_it_does_not_cite(module):
    nb = notebook(module)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown" and spec(c) != "references")
    shared = set(load_course(COURSE).references)
    for reference in set(reference_list(nb)) & shared:
        assert reference_key(reference) in cited(text), reference


def test_gibbs_and_schon_have_their_full_references_wherever_they_are_cited():
    course = load_course(COURSE)
    gibbs = ("Gibbs, G. (1988). *Learning by doing: A guide to teaching and learning methods*. "
             "Further Education Unit, Oxford Polytechnic.")
    schon = ("Schön, D. A. (1983). *The reflective practitioner: How professionals think in action*. "
             "Basic Books.")
    assert {gibbs, schon} <= set(course.references)
    for module in MODULES:
        if module_of(module).reflection is not None and "Gibbs" in module_of(module).reflection.intro:
            assert gibbs in reference_list(notebook(module)), module
    assert schon in reference_list(notebook("stuck"))
    for module in ("alliance", "breakthroughs", "portfolio"):  # the ones that had no reference list
        assert len(reference_list(notebook(module))) >= 2, module


def test_references_are_in_alphabetical_order_and_none_repeats():
    for module in MODULES:
        listed = reference_list(notebook(module))
        assert listed == sorted(listed, key=lambda r: r.replace("*", "").casefold()), module
        keys = [reference_key(r) for r in listed if reference_key(r)]
        assert len(keys) == len(set(keys)), module


def test_the_deliberate_practice_finding_is_never_stated_without_its_subsample():
    """Chow et al. (2015): deliberate practice was analysed in 17 of the 69 therapists (1,632 clients).

    The modules' own cells; the evidence file's findings are checked in test_modules.
    """
    for module in ("craft", "portfolio"):
        cells = [c for c in notebook(module).cells if c.cell_type == "markdown" and spec(c) is None]
        stating = [c for c in cells if "Chow" in c.source and "deliberate practice" in c.source]
        assert stating, module
        for cell in stating:
            assert "17 " in cell.source and "1,632" in cell.source, (module, cell.id)
