"""The rules' text prechecks over a file and the texts it imports, without joining those texts."""

from pathlib import Path

import pytest

from gradlint import engine
from gradlint.engine import rules_for, rules_for_joined
from gradlint.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "rules").rglob("*.py"))[:24]]
SMALL = ["", "x = 1\n", "loss.backward()\n", "opt.step()\n", "p.requires_grad = False\n", "x.ReQuIrEs_GrAd = 1", "a == b.grad"]


@pytest.mark.parametrize("start", range(0, 24, 3))
def test_the_rules_chosen_are_those_of_the_joined_text(start):
    text, modules, callers = TEXTS[start], TEXTS[start + 1 : start + 3], SMALL[start % 7 : start % 7 + 2]
    joined = "\n".join([text] + modules + callers)
    assert rules_for_joined(text, modules, callers, ALL_RULES) == rules_for(joined, ALL_RULES)


@pytest.mark.parametrize("text", SMALL)
@pytest.mark.parametrize("module", SMALL)
def test_small_texts_and_a_string_split_by_the_join(text, module):
    # "requires" at the end of one text and "_grad" at the start of the next are not "requires_grad"
    for first, second in ((text, module), (text + "requires", "_grad" + module), (text + "ste", "p()")):
        assert rules_for_joined(first, [second], [], ALL_RULES) == rules_for(first + "\n" + second, ALL_RULES)
        assert rules_for_joined(first, [], [second], ALL_RULES) == rules_for(first + "\n" + second, ALL_RULES)


class _CountedText(str):
    """A text that counts the substring searches made in it."""

    searches = 0

    def __contains__(self, needed):
        type(self).searches += 1
        return super().__contains__(needed)


def test_an_imported_module_text_is_searched_once_for_all_its_importers():
    engine._HELD.clear()
    module = _CountedText(TEXTS[0])
    rules_for_joined("import torch\n", [module], [], ALL_RULES)
    first = _CountedText.searches
    assert first > 0
    rules_for_joined("import torch as t\n", [module], [], ALL_RULES)
    assert _CountedText.searches == first
