"""The privacy check: flags likely client identifiers in reflections, locally.

Importing this package loads no word data and none of the libraries behind the
check; ``coursekit.privacy.detector`` loads them on the first check in a process.
The two constants below say, in words for students, what the check covers; the
module notebooks' submit cells are generated from them.
"""

from __future__ import annotations

__all__ = ["NOT_CHECKED", "WHAT_IS_CHECKED"]

#: What the check flags, for students (Markdown, one or two sentences).
WHAT_IS_CHECKED = (
    "The privacy check flags likely client identifiers in your reflections: names and "
    "initials of people (and of pets); towns, cities and areas smaller than a state; named "
    "schools, hospitals, care homes and employers; dates more precise than the year; ages over "
    "89; phone and fax "
    "numbers, email and web addresses, IP addresses; street addresses and ZIP or postcodes; "
    "and record, account, licence or other ID numbers. It runs on this computer, sends "
    "nothing anywhere, and suggests a de-identified wording for each finding."
)

#: What it cannot catch, for students (Markdown, one or two sentences).
NOT_CHECKED = (
    "It cannot catch everything: it misses descriptions that identify someone without any "
    "name or number (\"the only Icelandic harpist in town\", a rare job, a public event), "
    "nicknames and names it has no clue for, and it may flag a word that is not an "
    "identifier. Read your reflections once more yourself before you submit."
)
