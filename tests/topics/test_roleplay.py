"""The complaint role plays: the shipped scenarios teach well, the engine plays them, and a
broken scenario file is reported with its file, line and key.

The content tests guard the teaching: every scenario can be played to its best score, a
poor path scores less and is told what to change, every service phrase (seed 001) and
every customer want (seed 003) is used, and the best reply cannot be spotted by its
position or its length. The validation tests break a small scenario, written to
tmp_path, in one way each and check the `file:line: key: message` that comes back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit import roleplay
from crmkit.errors import CrmkitError, DataValidationError

STEMS = {"late_delivery", "faulty_batch", "billing_dispute"}
SCENARIOS = roleplay.scenarios()
CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _poor_path(scenario: roleplay.Scenario) -> roleplay.Conversation:
    """Always the lowest-points reply (the first of equals), played to the end."""
    conversation = roleplay.Conversation(scenario)
    while not conversation.finished:
        replies = conversation.node.replies
        conversation.choose(min(range(len(replies)), key=lambda i: replies[i].points))
    return conversation


def _replies(scenario: roleplay.Scenario):
    return [(node, reply) for node in scenario.nodes.values() for reply in node.replies]


# -- the shipped scenarios -------------------------------------------------------------------


def test_the_three_scenarios_are_shipped():
    assert set(SCENARIOS) == STEMS
    assert {p.stem for p in roleplay.FOLDER.glob("*.yaml")} == STEMS
    for stem, scenario in SCENARIOS.items():
        assert scenario.name == stem
        assert scenario.title and scenario.customer and scenario.setting
        assert CJK.search(scenario.title_zh), stem


@pytest.mark.parametrize("stem", sorted(STEMS))
def test_the_best_path_reaches_the_maximum(stem):
    scenario = SCENARIOS[stem]
    path = roleplay.best_path(scenario)
    assert len(path) >= 4, "at least four customer turns on the best path"
    conversation = roleplay.play(scenario, path)
    assert conversation.finished
    assert conversation.score == conversation.max_score == scenario.max_score
    assert conversation.score == sum(turn.points for turn in conversation.history)
    assert all(turn.was_best for turn in conversation.history)
    summary = conversation.summary()
    assert summary.to_change == ()
    assert summary.wants_missed == (), "the best path meets every want of a complaining customer"
    assert summary.do_phrases and not summary.dont_phrases
    assert summary.ending, "the best path ends with a closing text"
    assert "Score: " in summary.text() and "What went well:" in str(summary)


@pytest.mark.parametrize("stem", sorted(STEMS))
def test_a_poor_path_scores_less_and_is_told_what_to_change(stem):
    scenario = SCENARIOS[stem]
    conversation = _poor_path(scenario)
    assert conversation.finished
    assert scenario.min_score <= conversation.score < scenario.max_score
    summary = conversation.summary()
    assert summary.to_change
    assert any("Better: \u201c" in line for line in summary.to_change)
    assert summary.dont_phrases, "the poorest replies use a don't phrase"
    assert any("don'ts of service phrases" in line for line in summary.to_change)
    assert "100 - 1 = 0" in summary.ending  # CO8: a lost customer costs the good name
    worst = roleplay.play(scenario, roleplay.worst_path(scenario))
    assert worst.score == scenario.min_score < scenario.max_score


@pytest.mark.parametrize("stem", sorted(STEMS))
def test_every_node_offers_three_or_four_replies_each_with_feedback(stem):
    scenario = SCENARIOS[stem]
    for node, reply in _replies(scenario):
        assert 3 <= len(node.replies) <= 4, node.id
        assert reply.feedback and reply.say
        assert roleplay.MIN_POINTS <= reply.points <= roleplay.MAX_POINTS
    # branching: a bad reply at the start leads somewhere other than the best reply does
    start = scenario.nodes[scenario.start]
    assert len({reply.next for reply in start.replies}) >= 2


@pytest.mark.parametrize("stem", sorted(STEMS))
def test_the_best_reply_earns_the_most_points_at_its_node(stem):
    """Going wrong and recovering must never score more than getting it right."""
    scenario = SCENARIOS[stem]
    for node in scenario.nodes.values():
        best = node.replies[scenario.best_reply(node.id)]
        others = [r.points for i, r in enumerate(node.replies) if r is not best]
        assert best.points > max(others), node.id


def test_every_phrase_and_want_used_exists_and_all_are_used():
    used_phrases, used_wants = set(), set()
    for scenario in SCENARIOS.values():
        for node, reply in _replies(scenario):
            assert reply.phrase is None or reply.phrase in roleplay.PHRASES
            assert set(reply.wants) <= {w.id for w in roleplay.WANTS}
            used_wants |= set(reply.wants)
            if reply.phrase:
                used_phrases.add(reply.phrase)
                # the reply really says the phrase it names
                phrase = roleplay.PHRASES[reply.phrase].english.rstrip(".…")
                assert phrase.lower() in reply.say.lower(), (scenario.name, node.id)
                assert reply.say_zh, "a reply using a seed phrase gives its Chinese"
    assert used_phrases == set(roleplay.PHRASES), "every do and don't is taught somewhere"
    assert used_wants == {w.id for w in roleplay.WANTS}


def test_the_phrase_list_keeps_to_what_the_seed_gives():
    kinds = [p.kind for p in roleplay.PHRASES.values()]
    assert kinds.count("do") == 3 and kinds.count("dont") == 4  # seed 001 gives 3 and 4
    assert roleplay.PHRASES["what_i_can_do"].chinese == "我所能做的是……"
    assert roleplay.PHRASES["not_my_job"].chinese == "那不是我的工作。"
    assert all(p.seed.startswith("seed 001 §3.5.1") for p in roleplay.PHRASES.values())
    # the wants are those of the complaint KPIs' checklist: one list of ids in the workbook
    from crmkit import complaint_kpis

    assert [w.id for w in roleplay.WANTS] == list(complaint_kpis.WANTS)
    assert [w.chinese for w in roleplay.WANTS] == [v[1] for v in complaint_kpis.WANTS.values()]


@pytest.mark.parametrize("stem", sorted(STEMS))
def test_the_best_reply_moves_around(stem):
    scenario = SCENARIOS[stem]
    positions = [scenario.best_reply(node_id) for node_id in scenario.nodes]
    assert len(set(positions)) >= 3, positions


@pytest.mark.parametrize("stem", sorted(STEMS))
def test_the_best_reply_is_not_given_away_by_its_length(stem):
    scenario = SCENARIOS[stem]
    longest = 0
    for node in scenario.nodes.values():
        lengths = [len(r.say) for r in node.replies]
        best = lengths[scenario.best_reply(node.id)]
        longest += best == max(lengths) and lengths.count(best) == 1
        assert max(lengths) <= 1.5 * min(lengths), node.id  # alike in length
    assert longest < len(scenario.nodes) / 2


def test_the_chinese_is_simplified():
    """GB2312 holds the common Simplified characters and none of the Traditional-only ones."""
    texts = [w.chinese for w in roleplay.WANTS] + [p.chinese for p in roleplay.PHRASES.values()]
    for scenario in SCENARIOS.values():
        texts.append(scenario.title_zh)
        texts += [node.customer_zh for node in scenario.nodes.values()]
        texts += [reply.say_zh for _, reply in _replies(scenario)]
    for text in filter(None, texts):
        for char in CJK.findall(text):
            char.encode("gb2312")  # raises for a Traditional-only character such as 們


def test_turns_table_lists_every_reply():
    scenario = SCENARIOS["late_delivery"]
    frame = roleplay.turns_table(scenario)
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == sum(len(n.replies) for n in scenario.nodes.values())
    assert list(frame.columns) == [
        "node",
        "customer",
        "option",
        "reply",
        "points",
        "best",
        "phrase",
        "wants",
        "next",
        "feedback",
    ]
    assert list(dict.fromkeys(frame["node"])) == list(scenario.nodes)
    assert (frame.groupby("node")["best"].sum() == 1).all()
    opening = frame[frame["node"] == "opening"]
    assert list(opening["option"]) == ["A", "B", "C", "D"][: len(opening)]
    assert opening["best"].tolist().index(True) == scenario.best_reply("opening")


def test_the_conversation_refuses_a_wrong_move():
    scenario = SCENARIOS["faulty_batch"]
    conversation = roleplay.Conversation(scenario)
    assert conversation.node.id == scenario.start and not conversation.finished
    with pytest.raises(CrmkitError, match="no reply 9"):
        conversation.choose(9)
    with pytest.raises(CrmkitError, match="by its number"):
        conversation.choose("A")
    turn = conversation.choose(0)
    assert turn.node == "opening" and turn.index == 0
    assert turn.feedback == scenario.nodes["opening"].replies[0].feedback
    assert not turn.was_best and turn.best_index == scenario.best_reply("opening")
    assert "nothing yet" in conversation.summary().text()
    finished = roleplay.play(scenario, roleplay.best_path(scenario))
    assert finished.node is None and finished.ending == "kept"
    with pytest.raises(CrmkitError, match="has ended"):
        finished.choose(0)


@settings(max_examples=60, deadline=None)
@given(stem=st.sampled_from(sorted(STEMS)), picks=st.lists(st.integers(0, 3), min_size=12))
def test_any_way_through_scores_between_the_worst_and_the_best(stem, picks):
    scenario = SCENARIOS[stem]
    conversation = roleplay.Conversation(scenario)
    for pick in picks:
        if conversation.finished:
            break
        conversation.choose(pick % len(conversation.node.replies))
    assert conversation.finished, "every way through ends within len(nodes) turns"
    assert len(conversation.history) <= len(scenario.nodes)
    assert scenario.min_score <= conversation.score <= scenario.max_score


# -- validation: a small scenario, broken one way at a time ---------------------------------

VALID = """\
# A small role play for the tests.
title: A test role play
customer: Ms Lin, who owns a shop.
setting: Her delivery came a day late.
start: opening
nodes:
  opening:
    customer: Your van was late.
    replies:
      - say: I understand how you feel.
        points: 2
        wants: [heard]
        phrase: understand_feeling
        feedback: You name her feeling.
        next: offer
      - say: That's not my job.
        points: -2
        phrase: not_my_job
        feedback: You send her away.
        next: lost
  offer:
    customer: What will you do about it?
    replies:
      - say: What I can do is deliver the rest tomorrow.
        points: 2
        wants: [response_and_action, compensation_and_solution]
        feedback: A concrete offer.
        next: end
      - say: Nothing, sorry.
        points: -1
        feedback: No action at all.
        next: lost
endings:
  lost: Ms Lin finds another supplier.
  end: Ms Lin orders again next week.
"""

ORPHAN = """\
  orphan:
    customer: Hello?
    replies:
      - say: Hello.
        points: 0
        feedback: Fine.
        next: end
      - say: Goodbye.
        points: 0
        feedback: Fine.
        next: end
"""


def _write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based number of the line holding the nth occurrence of `needle`."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[nth - 1]


def _problems(tmp_path: Path, text: str):
    with pytest.raises(DataValidationError) as info:
        roleplay.load_scenario(_write(tmp_path, text))
    assert isinstance(info.value, CrmkitError)
    assert all(p.file == "case.yaml" for p in info.value.problems)
    return info.value


def _replace(old: str, new: str, nth: int = 1) -> str:
    """VALID with the nth occurrence of `old` replaced by `new`."""
    assert VALID.count(old) >= nth, old
    parts = VALID.split(old)
    return old.join(parts[:nth]) + new + old.join(parts[nth:])


def test_the_small_scenario_is_valid(tmp_path):
    scenario = roleplay.load_scenario(_write(tmp_path, VALID))
    assert scenario.name == "case" and list(scenario.nodes) == ["opening", "offer"]
    assert scenario.max_score == 4 and scenario.min_score == -2
    assert roleplay.best_path(scenario) == [0, 0]
    assert scenario.ending_text("end") == "Ms Lin orders again next week."
    conversation = roleplay.play(scenario, [0, 1])
    assert conversation.ending == "lost" and conversation.score == 1
    assert conversation.summary().ending == "Ms Lin finds another supplier."


# (the broken text, the line it must name (a needle in that text), the key, the message)
BREAKAGES = {
    "unreachable node": (
        _replace("endings:", ORPHAN + "endings:"),
        ("  orphan:", 1),
        "nodes.orphan",
        "is an unreachable node: no reply leads to it from the start node 'opening'",
    ),
    "next to a missing node": (
        _replace("next: offer", "next: ofer"),
        ("next: ofer", 1),
        "nodes.opening.replies[1].next",
        "leads nowhere: there is no node or ending 'ofer'; did you mean 'offer'?",
    ),
    "missing points": (
        _replace("        points: -1\n", ""),
        ("- say: Nothing, sorry.", 1),
        "nodes.offer.replies[2].points",
        "is missing: give every reply points from -2",
    ),
    "points out of range": (
        _replace("points: 2", "points: 5", nth=2),
        ("points: 5", 1),
        "nodes.offer.replies[1].points",
        "5 is out of range; give a whole number from -2 to 2",
    ),
    "points not a number": (
        _replace("points: -2", "points: 1.5"),
        ("points: 1.5", 1),
        "nodes.opening.replies[2].points",
        "'1.5' is not a score",
    ),
    "misspelt key": (
        _replace("feedback: A concrete offer.", "feedbak: A concrete offer."),
        ("feedbak:", 1),
        "nodes.offer.replies[1].feedbak",
        "is not a key a reply may have; did you mean 'feedback'?",
    ),
    "misspelt top-level key": (
        _replace("setting:", "settings:"),
        ("settings:", 1),
        "settings",
        "did you mean 'setting'?",
    ),
    "duplicate node id": (
        _replace("endings:", ORPHAN.replace("orphan", "offer") + "endings:"),
        ("  offer:", 2),
        "nodes.offer",
        f"node id 'offer' is used twice (first on line {_line_of(VALID, '  offer:')})",
    ),
    "syntax error": (
        _replace("customer: Your van was late.", "customer: Note: your van was late."),
        ("Note: your van", 1),
        None,
        "is not valid YAML: mapping values are not allowed here; text that holds ': ' must be put in quotes",
    ),
    "tab indentation": (
        _replace("        next: lost\n  offer:", "\tnext: lost\n  offer:"),
        ("\tnext: lost", 1),
        None,
        "indent with spaces, not tabs",
    ),
    "a cycle with no way to end": (
        _replace("next: lost", "next: offer", nth=1)
        .replace("next: end", "next: opening")
        .replace("        next: lost\nendings", "        next: opening\nendings"),
        ("next: opening", 1),
        "nodes.offer.replies[1].next",
        "leads back to node 'opening', so the conversation could go round for ever",
    ),
    "start names no node": (
        _replace("start: opening", "start: openning"),
        ("start: openning", 1),
        "start",
        "names no node 'openning'; did you mean 'opening'?",
    ),
    "unknown want": (
        _replace("wants: [heard]", "wants: [hear]"),
        ("wants: [hear]", 1),
        "nodes.opening.replies[1].wants",
        "'hear' is not a customer want id; did you mean 'heard'?",
    ),
    "unknown phrase": (
        _replace("phrase: not_my_job", "phrase: not_my_work"),
        ("phrase: not_my_work", 1),
        "nodes.opening.replies[2].phrase",
        "'not_my_work' is not a service phrase id; did you mean 'not_my_job'?",
    ),
    "one reply only": (
        _replace(
            "      - say: Nothing, sorry.\n        points: -1\n        feedback: No action at all.\n        next: lost\n",
            "",
        ).replace("  lost: Ms Lin finds another supplier.\n", "  lost: She leaves.\n"),
        ("    replies:", 2),
        "nodes.offer.replies",
        "has 1 reply; give every node 2 to 4 replies",
    ),
    "missing title": (
        _replace("title: A test role play\n", ""),
        ("customer: Ms Lin", 1),
        "title",
        "is missing: give the scenario a title",
    ),
    "empty say": (
        _replace("say: Nothing, sorry.", "say:"),
        ("      - say:", 4),
        "nodes.offer.replies[2].say",
        "is empty",
    ),
    "node called end": (
        _replace("  offer:", "  end:").replace("next: offer", "next: end"),
        ("  end:", 1),
        "nodes.end",
        "`end` is kept for ending the conversation",
    ),
    "ending never reached": (
        _replace("  end: Ms Lin orders again next week.", "  stayed: Ms Lin orders again."),
        ("  stayed:", 1),
        "endings.stayed",
        "is never reached",
    ),
}


@pytest.mark.parametrize("case", list(BREAKAGES))
def test_a_broken_scenario_names_file_line_and_key(tmp_path, case):
    text, (needle, nth), column, message = BREAKAGES[case]
    error = _problems(tmp_path, text)
    line = _line_of(text, needle, nth)
    matching = [p for p in error.problems if p.row == line and p.column == column]
    assert matching, f"no problem at line {line}, key {column}: {error.report()}"
    assert any(message in p.message for p in matching), error.report()
    where = f"case.yaml:{line}: {column}: " if column else f"case.yaml:{line}: "
    assert where in str(error)
    assert error._render_traceback_()[0] == "The data has problems:"


def test_a_misspelt_required_key_is_reported_once(tmp_path):
    error = _problems(tmp_path, BREAKAGES["misspelt key"][0])
    assert len(error.problems) == 1  # not also "feedback is missing"


def test_a_loop_that_cannot_end_is_reported_at_each_node(tmp_path):
    text = BREAKAGES["a cycle with no way to end"][0]
    error = _problems(tmp_path, text)
    never = {(p.row, p.column) for p in error.problems if p.message.startswith("never ends")}
    assert never == {
        (_line_of(text, "  opening:"), "nodes.opening"),
        (_line_of(text, "  offer:"), "nodes.offer"),
    }


def test_every_problem_is_listed_in_line_order(tmp_path):
    text = _replace("next: offer", "next: ofer").replace("points: -1", "points: 3")
    error = _problems(tmp_path, text)
    got = [(p.row, p.column) for p in error.problems]
    assert got == [
        (_line_of(text, "next: ofer"), "nodes.opening.replies[1].next"),
        (_line_of(text, "  offer:"), "nodes.offer"),  # no longer reached from the start
        (_line_of(text, "points: 3"), "nodes.offer.replies[2].points"),
    ]


def test_a_word_like_no_stays_text(tmp_path):
    """YAML 1.1 reads a bare No as false; a reply is kept as the trainer wrote it."""
    scenario = roleplay.load_scenario(_write(tmp_path, _replace("say: Nothing, sorry.", "say: No")))
    assert scenario.nodes["offer"].replies[1].say == "No"


def test_a_missing_empty_or_non_utf8_file(tmp_path):
    with pytest.raises(DataValidationError, match="the scenario file is missing"):
        roleplay.load_scenario(tmp_path / "nothing.yaml")
    with pytest.raises(DataValidationError, match="case.yaml: is empty"):
        roleplay.load_scenario(_write(tmp_path, "# only a comment\n"))
    (tmp_path / "latin.yaml").write_bytes("title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(DataValidationError, match="latin.yaml: is not UTF-8 text"):
        roleplay.load_scenario(tmp_path / "latin.yaml")


def test_scenarios_reports_the_problems_of_every_broken_file(tmp_path):
    _write(tmp_path, VALID, "good.yaml")
    _write(tmp_path, _replace("next: offer", "next: ofer"), "bad_one.yaml")
    _write(tmp_path, _replace("points: 2", "points: 9"), "bad_two.yaml")
    with pytest.raises(DataValidationError) as info:
        roleplay.scenarios(tmp_path)
    assert {p.file for p in info.value.problems} == {"bad_one.yaml", "bad_two.yaml"}
    (tmp_path / "bad_one.yaml").unlink()
    (tmp_path / "bad_two.yaml").unlink()
    assert list(roleplay.scenarios(tmp_path)) == ["good"]


def test_a_trainer_can_add_a_node_to_a_shipped_file(tmp_path):
    """Copy a scenario, add a turn after the close and point the best reply at it."""
    text = (roleplay.FOLDER / "late_delivery.yaml").read_text(encoding="utf-8")
    assert text.count("next: kept") == 1
    new_node = """\
  follow_up:
    customer: >-
      One more thing: could you send me next month's promotion list?
    replies:
      - say: "Of course, Ms Lin. I'll bring it on Monday when I call."
        points: 2
        wants: [respect]
        feedback: A small promise, kept in person.
        next: kept
      - say: "It's on the website somewhere; you can look it up there."
        points: -1
        feedback: It sends her to do the work.
        next: lukewarm
      - say: "I'm not sure it's ready yet. Try asking again next month."
        points: 0
        feedback: Vague and unhelpful.
        next: lukewarm

"""
    text = text.replace("next: kept", "next: follow_up").replace(
        "\nendings:", "\n" + new_node + "endings:"
    )
    scenario = roleplay.load_scenario(_write(tmp_path, text, "my_late_delivery.yaml"))
    original = SCENARIOS["late_delivery"]
    assert "follow_up" in scenario.nodes
    assert scenario.max_score == original.max_score + 2
    path = roleplay.best_path(scenario)
    assert len(path) == len(roleplay.best_path(original)) + 1
    assert roleplay.play(scenario, path).ending == "kept"


def test_a_broken_phrase_list_is_reported(tmp_path):
    text = (roleplay.FOLDER / "service_phrases.csv").read_text(encoding="utf-8")
    (tmp_path / "service_phrases.csv").write_text(
        text.replace(",dont,", ",never,", 1), encoding="utf-8"
    )
    with pytest.raises(DataValidationError, match=r"service_phrases.csv:5: kind: 'never'"):
        roleplay.phrases(tmp_path)
    assert roleplay.phrases(roleplay.FOLDER) == roleplay.PHRASES
