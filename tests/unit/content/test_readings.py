from pathlib import Path

import pytest

from conftest import MODULES, module_of
from coursekit.content.readings import load_card, render_markdown
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
    assert set(with_cards) == {"alliance", "craft", "stuck", "breakthroughs", "relationship"}
    for module_id, card in with_cards.items():
        assert card.id == module_id and Path(card.path).parent.name == module_id
        assert 3 <= len(card.quotations) <= 6


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
         "quotations", "has 1 entry; give 3 to 6"),
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
