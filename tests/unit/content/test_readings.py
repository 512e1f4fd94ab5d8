import re
from pathlib import Path

import pytest

from conftest import MODULES, module_of
from coursekit.content.readings import MAX_QUOTATIONS, load_card, render_markdown
from coursekit.errors import ReadingCardError

GOOD = '''
schema_version = 1
id = "demo"
title = "A demo card"
summary = "Our own words."
themes = ["one", "two"]
questions = ["Why?", "How?"]

[source]
author = "A. Author"
title = "An essay"
venue = "A magazine"
date = "2020"

[[quotations]]
text = "First short quotation."
attribution = "A. Author"

[[quotations]]
text = "Second short quotation."
attribution = "A. Author"

[[quotations]]
text = "Third short quotation."
attribution = "A. Author"
'''


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "demo.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_module_with_a_reading_has_a_card_that_names_it():
    modules = [module_of(m) for m in MODULES]
    with_cards = {m.id: m.card() for m in modules if m.reading}
    assert set(with_cards) == {"alliance", "craft", "stuck", "breakthroughs", "relationship", "feedback"}
    for module_id, card in with_cards.items():
        assert card.id == module_id and Path(card.path).parent.name == module_id
        assert 2 <= len(card.quotations) <= 3


def test_render_shows_citation_quotations_with_attribution_and_questions(tmp_path):
    card = load_card(write(tmp_path, GOOD))
    text = render_markdown(card)
    assert text.startswith("## Reading: A demo card")
    assert "A. Author (2020). *An essay*. A magazine." in text
    assert "> Second short quotation.\n>\n> — A. Author" in text
    assert "1. Why?\n2. How?" in text


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (lambda t: t.replace('id = "demo"\n', ""), "id", "is missing"),
        (lambda t: t.replace('id = "demo"', 'id = "Demo card"'), "id", "a lower-case name like 'alliance'"),
        (lambda t: t.replace("schema_version = 1", "schema_version = 2"), "schema_version",
         "reads version 1"),
        (lambda t: t.replace('date = "2020"', "date = 2020"), "source.date",
         "should be a non-empty text, not a whole number (2020)"),
        (lambda t: t.replace('themes = ["one", "two"]', 'themes = ["one"]'), "themes", "give 2 to 8"),
        (lambda t: t.replace('themes = ["one", "two"]', 'themes = ["one", ""]'), "themes.1", "is empty"),
        (lambda t: t.replace("Second short quotation.", " ".join(["word"] * 45)),
         "quotations.1.text", "(45 words); it should be a text of at most 40 words. Quotations stay under"),
        (lambda t: t.split("[[quotations]]")[0] + "[[quotations]]" + t.split("[[quotations]]")[1],
         "quotations", "has 1 entry; give 2 to 3"),
        (lambda t: t.replace("[source]", "[source]\nyear = 2020"), "source.year",
         "is not a field of this format; the fields here are author, title, venue, date, note"),
    ],
)
def test_a_broken_card_is_rejected_naming_file_and_field(tmp_path, edit, field, words):
    path = write(tmp_path, edit(GOOD))
    with pytest.raises(ReadingCardError) as caught:
        load_card(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, field '{field}': ")
    assert words in message
    assert message.endswith("See docs/modules.md.")


def test_a_quotation_of_exactly_forty_words_is_allowed(tmp_path):
    card = load_card(write(tmp_path, GOOD.replace("Second short quotation.", " ".join(["word"] * 40))))
    assert len(card.quotations[1].text.split()) == 40


def test_invalid_toml_names_the_file(tmp_path):
    path = write(tmp_path, GOOD.replace('title = "A demo card"', "title = A demo card"))
    with pytest.raises(ReadingCardError, match="demo.toml: is not valid TOML"):
        load_card(path)


# The quotation rule. A card is our own summary plus a few short attributed
# quotations, never a digest of the essay in the author's words. Counted for each
# card: the [[quotations]] texts and any text inside double quotation marks
# (straight or curly) in its summary, themes, questions, title and note. Allowed:
# at most MAX_QUOTATIONS quotations, and quoted words together at most 8% of the
# essay (source.words, which every card of the course gives) and never more than
# 60 words, whatever the essay's length.
QUOTED_SHARE, QUOTED_CAP = 0.08, 60
_IN_QUOTES = re.compile(r'"([^"]+)"|“([^”]+)”')


def quoted_words(card) -> int:
    words = sum(len(q.text.split()) for q in card.quotations)
    prose = [card.summary, card.title, card.source.note, *card.themes, *card.questions]
    for text in prose:
        words += sum(len((a or b).split()) for a, b in _IN_QUOTES.findall(text))
    return words


@pytest.mark.parametrize("module_id", ["alliance", "craft", "stuck", "breakthroughs", "relationship"])
def test_each_card_quotes_only_a_small_share_of_its_essay(module_id):
    card = module_of(module_id).card()
    assert card.source.words, f"{card.path}: give source.words, the essay's length, to check quotations by"
    limit = min(QUOTED_CAP, QUOTED_SHARE * card.source.words)
    assert len(card.quotations) <= MAX_QUOTATIONS
    assert quoted_words(card) <= limit, (
        f"{card.path} quotes {quoted_words(card)} words of a {card.source.words}-word essay; "
        f"at most {limit:.0f}: summarise the rest in our own words")


def test_the_quotation_count_sees_quotation_marks_in_the_summary(tmp_path):
    # the rule must catch a quotation smuggled into the prose, not only [[quotations]]
    card = load_card(write(tmp_path, GOOD.replace('summary = "', 'summary = "He wrote “one two three” and ')))
    plain = load_card(write(tmp_path, GOOD))
    assert quoted_words(card) == quoted_words(plain) + 3
