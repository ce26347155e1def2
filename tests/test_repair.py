"""Repairs of reprinted text: case tables, the two example texts, the simulator and the scorer.

Case tables live in `tests/cases/`: `repair.json` (corrupted text and its repair) and
`repair-negative.json` (clean text that must come out unchanged). Each case has `label`,
`comment`, `original`, `fixed` and `expect` ("pass", or "fail" for a known failure, run as a
strict xfail: when one starts passing, move it to "pass"). Nothing here needs ../shared.
"""

from __future__ import annotations

import doctest
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.clean import breaks, edits, entities, lostchars, markup, simulate, words
from pipeline.clean import repair as repair_module
from pipeline.clean.repair import repair_paragraphs, repair_text
from pipeline.clean.score import score_case
from pipeline.clean.simulate import (
    Scenario,
    corrupt,
    postfix_cuts,
    render,
    sendmail_cuts,
)

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
EXAMPLES = HERE / "files" / "examples"


def load_cases(name: str) -> list[dict]:
    """One case table."""
    return json.loads((CASES / name).read_text(encoding="utf-8"))


ALL_CASES = load_cases("repair.json") + load_cases("repair-negative.json")
PASSING = [c for c in ALL_CASES if c["expect"] == "pass"]
FAILING = [c for c in ALL_CASES if c["expect"] == "fail"]


@pytest.mark.parametrize("case", PASSING, ids=[c["label"] for c in PASSING])
def test_case(case):
    fixed, counts = repair_text(case["original"])
    assert fixed == case["fixed"]
    assert bool(counts) == (case["original"] != case["fixed"])


@pytest.mark.parametrize("case", FAILING, ids=[c["label"] for c in FAILING])
@pytest.mark.xfail(strict=True)
def test_known_failure(case):
    assert repair_text(case["original"])[0] == case["fixed"]


@pytest.mark.parametrize("case", PASSING, ids=[c["label"] for c in PASSING])
def test_repair_is_stable(case):
    # A repaired text is clean text: a second pass leaves it alone.
    once = repair_text(case["original"])[0]
    assert repair_text(once) == (once, {})


# --- the example texts ---------------------------------------------------------------------------
POST = (EXAMPLES / "mlm-leadership-blogger-post.txt").read_text(encoding="utf-8")
ARTICLE = (EXAMPLES / "major-pitfall-article.txt").read_text(encoding="utf-8")

# Sentences of the repaired blogger post, as the issue pins them.
POST_SENTENCES = [
    "The industry which is touted as the future of enterprise — and I fully subscribe to this view — "
    "accounts for 99 % failures among all new entrants.",
    "The leaders insist that you to speak to everybody with a view to recruit them into business.",
    "Leaders blame the new distributor as not putting enough efforts and move on to another distributor.",
    "Leadership failure #4 - Not Allowing Originality and Dissent",
    "Some organizations have even qualifications (dump more stocks) for photo opportunities and special "
    "dinners with leaders where non qualifiers are not allowed",
    "Roger Smith is the founder of Magnetic Leadership Marketing (MLM).",
    "Haven’t found a business yet—still looking? Go here for a 7 part business evaluation quiz",
    "Free Business Articles Blog",
]
ARTICLE_SENTENCE = (
    "If you were to go out and start a business in any other industry – automotive, services, grocery – "
    "likely your main method of marketing would not be to hound your closest friends and family."
)
STRAY_BANGS_IN_POST = 8
LOST_MARKS_IN_POST = 5  # four restored, and "go to? magnetic" (a no-break space) kept as "?"


@pytest.mark.parametrize("sentence", POST_SENTENCES)
def test_example_post_sentences(sentence):
    assert sentence in repair_text(POST)[0]


def test_example_post_keeps_every_real_mark():
    fixed, counts = repair_text(POST)
    assert fixed.count("!") == POST.count("!") - STRAY_BANGS_IN_POST == 0
    assert fixed.count("?") == POST.count("?") - LOST_MARKS_IN_POST + 1
    # No dash of the post survived, so the em dash of "enterprise — and" is the model's guess.
    assert counts == {"stray_bang": STRAY_BANGS_IN_POST, "split_word": 1, "lost_char": 4, "dash_style_guessed": 1}


def test_example_post_questions_kept():
    fixed = repair_text(POST)[0]
    for question in ("Would you recruit an employee in the same manner if you are in any other business?",
                     "Would you choose anyone as your business partner just because they said yes?"):
        assert question in fixed


def test_example_article():
    fixed, counts = repair_text(ARTICLE)
    assert ARTICLE_SENTENCE in fixed
    assert counts == {"split_word": 1}
    assert fixed.count("?") == ARTICLE.count("?")


def test_example_post_per_paragraph():
    # The cleaning stage may repair paragraph by paragraph: the pinned sentences still come out.
    paragraphs, _ = repair_paragraphs(POST.split("\n\n"))
    joined = "\n\n".join(paragraphs)
    assert "\n\n".join(repair_text(p)[0] for p in POST.split("\n\n")) == joined
    for sentence in POST_SENTENCES:
        assert sentence in joined


def test_clean_texts_unchanged():
    repaired_article = repair_text(ARTICLE)[0]
    assert repair_text(repaired_article) == (repaired_article, {})
    repaired_post = repair_text(POST)[0]
    assert repair_text(repaired_post)[0] == repaired_post


# --- robustness ----------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab! ?\n&#;’â€™\ufffd<p>/.,'Tt-0"), max_size=80) | st.text(max_size=60))
def test_never_raises(text):
    fixed, counts = repair_text(text)
    assert isinstance(fixed, str)
    assert all(isinstance(n, int) and n > 0 for n in counts.values())


def test_empty_and_odd_input():
    assert repair_text("") == ("", {})
    assert repair_text("!") == ("!", {})
    assert repair_text("?") == ("?", {})


# --- the pieces ----------------------------------------------------------------------------------
@pytest.mark.parametrize("module", [breaks, edits, entities, lostchars, markup, repair_module, simulate, words])
def test_doctests(module):
    assert doctest.testmod(module).failed == 0


def test_word_joins():
    assert words.join_llr("specia", "l") > breaks.JOIN_LLR_BARE
    assert words.join_llr("you", "r") > breaks.JOIN_LLR_BARE
    assert words.join_llr("Hong", "Kong") < 0
    assert words.join_llr("in", "to") < breaks.JOIN_LLR_BARE


def test_text_language_picks_the_word_list():
    german = ("Nur die Ärzte und die Kliniken haben Zugriff auf die Daten und der Patient allein entscheidet, wer sie "
              "sieht und wer nicht. Die Akte wird in der Cloud gespeichert.")
    english = ("The leaders insist that you speak to everybody, and they are not going to do it the way you would like "
               "it to be done, whatever you say.")
    assert words.language(german) == "de"
    assert words.language(english) == "en"
    assert words.language("Too short to tell") == "en"
    assert words.join_llr("Daten", "und", vocab=words.Vocabulary(german)) < 0
    assert words.lone_words("pt") >= {"a", "e", "o"} and words.lone_words("en") == {"a", "i"}


def test_lost_chars_only_in_converted_text():
    assert not lostchars.converted("Why is that? Because it works. See quiz.php?id=3")
    assert lostchars.converted("Haven?t you heard?")


def test_lost_model_follows_the_tables_in_use():
    # Tables built one after another (cross-validation folds): each gets its own "?" model, even
    # when a freed table's id comes back for the next one.
    committed = lostchars.probabilities([])
    from pipeline.clean import contexts
    for k in range(6):
        label = lostchars.LABELS[1 + k % 2]
        tables = {}  # built as a fold's are: a fresh dict, filled
        tables["lost"] = {"weights": {}, "bias": [5.0 if lab == label else 0.0 for lab in lostchars.LABELS]}
        contexts.use(tables)
        del tables
        try:
            probs = lostchars.probabilities([])
            assert lostchars.LABELS[probs.index(max(probs))] == label
        finally:
            contexts.use(None)
    assert lostchars.probabilities([]) == committed


@pytest.mark.parametrize("text, expected", [
    ("Kaum Syi?ah berpendapat. Ulama Syi?ah melarang.", "Kaum Syi’ah berpendapat. Ulama Syi’ah melarang."),
    ("The ruins of Ba?albek are huge.", "The ruins of Ba—albek are huge."),  # once: the model's word
    ("An exaggerated fashion?think of a showman. Yes, an exaggerated fashion?think of a showman.",
     "An exaggerated fashion—think of a showman. Yes, an exaggerated fashion—think of a showman."),
])
def test_recurring_pieces_are_one_word(text, expected):
    # A model that reads every "?" as an em dash: only the recurrence rule can make it an apostrophe.
    from pipeline.clean import contexts
    dash = {"weights": {}, "bias": [5.0 if lab == "—" else 0.0 for lab in lostchars.LABELS]}
    contexts.use({**contexts.tables(), "lost": dash})
    try:
        assert lostchars.restore(text)[0] == expected
    finally:
        contexts.use(None)


@pytest.mark.parametrize("parser", ["lxml", "html.parser"])
@pytest.mark.parametrize("html_text, expected", [
    ("<p>It is the leader&rsq!\n uo;s job.</p>", "It is the leader’s job."),
    ("<p>It is the leader&rsquo!\n ;s job.</p>", "It is the leader’s job."),
    ("<p>It is the leader&#82!\n 17;s job.</p>", "It is the leader’s job."),
    ("<p>It is the leader&#x20!\n 19;s job.</p>", "It is the leader’s job."),
    ("<p>the view &mdash!\n ; and</p>", "the view — and"),
    # Cyrillic as numeric entities: the parser decodes the entity's start ("&#1" is U+0001, "&#108"
    # is "l"), or all of it but the ";"; Postfix's break (no "!") shows by the out-of-script start.
    ("<p>&#1087;&#1086;&#1075;&#1080;&#1073;&#1!\n 077;&#1083;&#1080;</p>", "погибели"),
    ("<p>&#1087;&#1086;&#1075;&#1080;&#1073;&#1\n 077;&#1083;&#1080;</p>", "погибели"),
    ("<p>&#1079;&#1076;&#1086;&#1088;&#1086;&#1074;&#1100;&#110!\n 3;.</p>", "здоровья."),
    ("<p>&#1089;&#1090;&#1086;&#1080;&#1090!\n ; &#1086;</p>", "стоит о"),
    ("<p>&#1087;&#108\n 6;&#1082;</p>", "пок"),
    ("<p>&#1072;, &#1!\n 095;&#1090;&#1086;</p>", "а, что"),
])
def test_entity_breaks_as_parsers_render_them(parser, html_text, expected):
    for collapse in (True, False):
        assert repair_text(render(html_text, parser, collapse))[0] == expected


# --- simulator and scorer ------------------------------------------------------------------------
# Varied sentences (a text repeated verbatim makes any alignment ambiguous), in paragraphs long
# enough for a relay to break.
CLEAN = "\n".join(
    "".join(
        f"Leader {n} often says “it’s a numbers game” — but is it? Distributor {n * 7} isn’t sure… "
        f"The reality in team {n + 3} is simple: people join people! "
        for n in range(start, start + 12)
    )
    for start in (0, 12, 24)
)
ASCII_SENDMAIL = Scenario(charset="ascii", relays=(("sendmail", 990),))


@pytest.fixture(scope="module")
def ascii_case():
    """CLEAN through sendmail after an ASCII conversion."""
    return corrupt(CLEAN, ASCII_SENDMAIL, seed=3)


def test_relay_cuts():
    assert sendmail_cuts(990) == []
    assert sendmail_cuts(991) == [989]
    assert sendmail_cuts(2000) == [989, 1977]
    assert postfix_cuts(998) == []
    assert postfix_cuts(2000) == [998, 1995]


def test_simulator_records_sites(ascii_case):
    case = ascii_case
    kinds = {site.kind for site in case.sites}
    assert kinds == {"stray_bang", "lost_char"}
    assert sorted(case.sites, key=lambda s: (s.start, s.end)) == case.sites
    for site in case.sites:
        assert 0 <= site.start < site.end <= len(case.clean)
        assert 0 <= site.cstart < site.cend <= len(case.text)
        shown = case.text[site.cstart:site.cend]
        if site.kind == "stray_bang":
            assert "!" in shown
        else:
            assert shown.startswith("?") and case.clean[site.start:site.end] == site.detail
    assert sum(s.kind == "lost_char" for s in case.sites) == len(re.findall("[“”’—…]", case.clean))


def test_simulator_postfix_then_sendmail():
    case = corrupt(CLEAN, Scenario(relays=(("postfix", 998), ("sendmail", 990))), seed=5)
    bangs = [s for s in case.sites if s.kind == "stray_bang"]
    splits = [s for s in case.sites if s.kind == "split_word"]
    assert bangs and splits
    for split in splits:  # Postfix's break falls 9 bytes after sendmail's "!"
        assert any(0 < split.start - bang.start <= 12 for bang in bangs)


def test_scorer_perfect_repair(ascii_case):
    case = ascii_case
    perfect = score_case(case, case.clean)
    assert perfect.share() == 1.0
    assert perfect.legit_changed_share() == 0.0
    assert perfect.other_edits == 0
    assert perfect.cer(after=True) == 0.0 < perfect.cer(after=False)
    nothing = score_case(case, case.text)
    assert nothing.share() == 0.0


def test_scorer_counts_collateral_damage(ascii_case):
    case = ascii_case
    damaged = case.clean.replace("people join people!", "people join people.", 1)
    tally = score_case(case, damaged)
    assert tally.legit_changed["!"] == 1
    assert tally.share() == 1.0


def test_scorer_sets_house_style_apart(ascii_case):
    case = ascii_case
    en_dashed = case.clean.replace("—", "–")  # every em dash restored as an en dash
    tally = score_case(case, en_dashed)
    style_only = sum(tally.style_only.values())
    assert style_only >= tally.count("lost_char", "—") - 1  # one dash also holds a relay's "!"
    assert tally.share_but_style(None) == pytest.approx(tally.share() + style_only / tally.count())
    assert tally.share_but_style("lost_char") == 1.0 > tally.share()


def test_scorer_counts_closing_quotes_with_their_openers():
    clean = "They called it ‘the plan’ and it’s done."
    case = corrupt(clean, Scenario(charset="ascii", relays=()), seed=1)
    assert case.text == "They called it ?the plan? and it?s done."
    double = score_case(case, "They called it “the plan” and it’s done.")  # the other house style
    assert double.share() == 1 / 3 and double.share_but_style(None) == 1.0
    apostrophe = score_case(case, "They called it ‘the plan’ and it”s done.")  # inside a word: no style
    assert apostrophe.share_but_style(None) == 2 / 3


def test_repair_on_simulated_text(ascii_case):
    case = ascii_case
    tally = score_case(case, repair_text(case.text)[0])
    # A text this full of real "!" makes the ambiguous break after "says" count as real: kept.
    assert tally.share("stray_bang") >= 2 / 3
    for lost in "’“”—":  # the ellipsis is the one lost character the model does not restore
        assert tally.share("lost_char", lost) == 1.0
    assert tally.legit_changed_share() == 0.0


def test_sibling_copy_gives_the_dash_style():
    # No dash survived in the text: its spaced "?" become the tuning part's commoner em dash, unless
    # another copy of the article (a syndicated sibling that arrived intact) shows en dashes.
    text = "The plan ? which nobody liked ? was dropped. Haven?t you heard?"
    sibling = "The plan – which nobody liked – was dropped. Haven’t you heard?"
    assert repair_text(text)[0] == "The plan — which nobody liked — was dropped. Haven’t you heard?"
    assert repair_text(text, hint=sibling)[0] == sibling
    # Where the copy has other words around a "?", the text's own surviving dashes give the style;
    # where it has the same, it shows the very character (this text mixes en and em dashes).
    own = "One – two. Then ? at last ? it ended. The plan ? which nobody liked ? was dropped. Haven?t you heard?"
    em_copy = sibling.replace("–", "—")
    mixed = "One – two. Then – at last – it ended. The plan — which nobody liked — was dropped. Haven’t you heard?"
    assert repair_text(own, hint=em_copy)[0] == mixed
    assert repair_text(own)[0] == mixed.replace("—", "–")


def test_sibling_copy_shows_the_lost_characters():
    # Beyond the style: a verbatim copy shows which mark each "?" was, even one the model cannot
    # tell (a closing single quote, a bullet), and keeps a real question mark a question mark.
    text = "Call it ?the plan?, he said. ? Step one: list names? Done? Yes ? all of them."
    copy = "Call it ‘the plan’, he said. • Step one: list names? Done? Yes — all of them."
    assert repair_text(text, hint=copy)[0] == copy
    assert repair_text(text)[0] != copy
    assert lostchars.sibling_chars(text, "An unrelated article? Nothing in common.") == {}


@pytest.mark.parametrize("text, copy, expected", [
    # marks side by side: each found one clears the way for the next, at the text's very start too
    ("?It?s mine,? she said.", "‘It’s mine,’ she said.", {0: "‘", 3: "’", 11: "’"}),
    # white space runs of any length match, a letter outside ASCII comes back too
    ("Meet  me\n at the caf? tonight.", "Meet me at the café tonight.", {20: "é"}),
    # a copy that differs there by an ASCII character was edited, not converted: nothing taken
    ("It ended, at last ? they said so.", "It ended, at last , they said so.", {}),
    # the copy's own damage (a broken byte) is no answer
    ("It ended at last ? they said so.", "It ended at last \ufffd they said so.", {}),
])
def test_sibling_chars(text, copy, expected):
    assert lostchars.sibling_chars(text, copy) == expected


# (case, text, hint, the style kinds among the repairs)
STYLE_SOURCE_CASES = [
    ("spaced dashes, no style shown", "The plan ? which nobody liked ? was dropped.", None,
     {"dash_style_guessed": 1}),
    ("spaced dashes, a copy shows en", "The plan ? which nobody liked ? was dropped.",
     "The plan – which nobody liked – was dropped.", {"dash_style_from_copy": 1}),
    ("spaced dashes, the copy shows none", "The plan ? which nobody liked ? was dropped.",
     "The plan, which nobody liked, was dropped.", {"dash_style_guessed": 1}),
    ("own dash survived", "One – two. The plan ? which nobody liked ? was dropped.", None, {}),
    ("unspaced dash only: no style to choose", "Not yet?still looking. Haven?t you?", None, {}),
    ("apostrophes only", "Haven?t you heard? It?s done.", None, {}),
    ("opening quotes, no style shown", "He said ?call me? and left. It?s done.", None, {"quote_style_guessed": 1}),
    ("opening quotes, a copy shows double", "He said ?call me? and left. It?s done.",
     "She said “fine” and stayed.", {"quote_style_from_copy": 1}),
]


@pytest.mark.parametrize("text, hint, kinds", [case[1:] for case in STYLE_SOURCE_CASES],
                         ids=[case[0] for case in STYLE_SOURCE_CASES])
def test_repairs_say_where_the_style_came_from(text, hint, kinds):
    counts = repair_text(text, hint)[1]
    assert {kind: n for kind, n in counts.items() if "_style_" in kind} == kinds


def test_repair_command_takes_a_sibling_copy_as_hint(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import cli

    sibling = tmp_path / "intact.txt"
    sibling.write_text("The plan – which nobody liked – was dropped.", encoding="utf-8")
    text = "The plan ? which nobody liked ? was dropped."
    plain = CliRunner().invoke(cli, ["repair", "--hint", str(sibling)], input=text)
    assert plain.exit_code == 0 and plain.output == "The plan – which nobody liked – was dropped."
    line = json.dumps({"text": text, "hint": sibling.read_text(encoding="utf-8")}) + "\n"
    jsonl = CliRunner().invoke(cli, ["repair", "--jsonl"], input=line)
    assert json.loads(jsonl.output)["text"] == "The plan – which nobody liked – was dropped."
    missing = CliRunner().invoke(cli, ["repair", "--hint", str(tmp_path / "none.txt")], input=text)
    assert missing.exit_code != 0 and "none.txt" in missing.output and "Traceback" not in missing.output
    bad = CliRunner().invoke(cli, ["repair", "--jsonl"], input=json.dumps({"text": text, "hint": 3}) + "\n")
    assert bad.exit_code != 0 and "stdin line 1: \"hint\" is not a string" in bad.output
