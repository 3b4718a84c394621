"""Complaint role plays: scripted conversations kept as YAML files, checked, and played.

A learner plays the member of staff. At each turn the customer says something and the
learner picks one of three or four replies; each reply earns points, gets feedback and
leads to the customer's next turn, until the conversation ends. The feedback draws on
two lists from the source texts:

- the "nine do's and nine don'ts" of service phrases (九准九不准, seed 001 §3.5.1). The
  seed gives three do's and four don'ts, each list ending in 等 ("and so on"); only those
  are kept, in `content/roleplay/service_phrases.csv`, and `PHRASES` holds them;
- what a complaining customer wants (顾客在抱怨时想得到什么, seed 003): `WANTS`.

The scenario files are in `content/roleplay/`, one `.yaml` file per scenario; a trainer
writes a new one by copying a file, without code. The format::

    title: A late delivery to a small shop       # required
    title_zh: 给小店的迟到送货                     # optional
    customer: Ms Lin, who owns ...                # required: who the learner talks to
    setting: Her weekly order ...                 # required: the situation
    start: opening                                # required: the id of the first node
    nodes:                                        # required: the customer's turns
      opening:                                    # a node id: letters, digits, _
        customer: "Your van was a day late ..."   # required: what the customer says
        customer_zh: "..."                        # optional
        replies:                                  # required: 2 or more (3 or 4 is best)
          - say: "I understand how you feel. ..." # required: the learner's option
            say_zh: "我理解你的感受。……"            # optional: the Chinese of the reply
            points: 2                             # required: whole number, -2 to 2
            wants: [heard, taken_seriously]       # optional: the WANTS the reply meets
            phrase: understand_feeling            # optional: a phrase_id of PHRASES
            feedback: "Naming her worry ..."      # required: why it is good or bad
            next: ask_details                     # required: a node id, an ending id or end
    endings:                                      # optional: closing texts by id
      kept: "Ms Lin orders again next week ..."  # a reply with `next: kept` ends here
      end: "..."                                  # the text of the plain `next: end`

Rules a file must keep (`load_scenario` reports every break, with its line): every
`next` names a node, an ending or `end`; every node can be reached from `start` and
every ending is named by a reply; the conversation always moves forward (no reply leads
back to an earlier node, so it cannot go round for ever and its best score is well
defined); ids are one word, node ids are unique and none is `end` or an ending's id;
points are whole numbers from -2 to 2; wants and phrases name ids of `WANTS` and
`PHRASES`; a node has at least two replies. Unknown keys get a did-you-mean. Text is
kept as written, so `say: No` stays the word "No". A reply that rescues a conversation
gone wrong should earn 1, not 2, so that a detour never beats the straight way (the
shipped files are tested for it).

In a problem's key path replies are counted from 1 (`nodes.opening.replies[1]` is the
first reply), as a trainer counts them; in code (`Conversation.choose`, `best_path`)
they are counted from 0, as Python counts.

The engine is pure: `Conversation(scenario)` keeps the state, `choose(i)` returns the
`Turn` with its feedback, `summary()` says what went well and what to change. A widget
or a static table (`turns_table`) sits on top.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from crmkit import content
from crmkit.errors import CrmkitError, DataValidationError, Problem

__all__ = [
    "END",
    "FOLDER",
    "MAX_POINTS",
    "MIN_POINTS",
    "PHRASES",
    "WANTS",
    "Conversation",
    "Node",
    "Phrase",
    "Reply",
    "Scenario",
    "Summary",
    "Turn",
    "Want",
    "best_path",
    "load_scenario",
    "phrases",
    "play",
    "scenarios",
    "turns_table",
    "worst_path",
]

#: Where the scenario files and the phrase list live: inside the package, so the wheel ships them.
FOLDER = content.FOLDER / "roleplay"
#: The `next` that ends a conversation without a closing text of its own.
END = "end"
#: The points a reply may earn: -2 (does harm), 0 (neither helps nor harms), 2 (the best).
MIN_POINTS, MAX_POINTS = -2, 2


@dataclass(frozen=True)
class Want:
    """One thing a complaining customer wants (seed 003), with its id for the scenario files."""

    id: str
    english: str
    chinese: str


#: What a customer wants when complaining (seed 003, 顾客在抱怨时想得到什么), in the seed's order.
#: The ids and the Chinese are those of `complaint_kpis.WANTS`, so a lesson can put the
#: role play beside the complaint data.
WANTS: tuple[Want, ...] = (
    Want("taken_seriously", "to be taken seriously", "得到认真的对待"),
    Want("heard", "to be heard", "有人聆听"),
    Want("response_and_action", "to see a response and action", "有反应,有行动"),
    Want("compensation_and_solution", "compensation and a solution", "得到补偿,问题得到解决"),
    Want("respect", "to be acknowledged and respected", "被认同,被尊重"),
)
_WANTS = {want.id: want for want in WANTS}


@dataclass(frozen=True)
class Phrase:
    """A service phrase to say (`kind` "do") or never to say ("dont"), from seed 001."""

    id: str
    kind: str
    english: str
    chinese: str
    seed: str


_PHRASE_SPEC = content.TableSpec(
    "service_phrases.csv",
    ("phrase_id", "kind", "english", "chinese", "seed"),
    key=("phrase_id",),
    choices={"kind": ("do", "dont")},
)


def phrases(folder: Path | str | None = None) -> dict[str, Phrase]:
    """The do and don't phrases of service_phrases.csv by id, checked like every content file.

    `folder` reads a trainer's or a test's copy instead of the package's."""
    path = Path(folder if folder is not None else FOLDER) / _PHRASE_SPEC.file
    records = content._rows(path)
    problems = content._check(_PHRASE_SPEC.file, _PHRASE_SPEC, records)
    if problems:
        raise DataValidationError(problems)
    return {row[0]: Phrase(*row) for row in records[1:]}


#: The service phrases a reply may name, by id.
PHRASES: dict[str, Phrase] = phrases()


# -- the scenario, as loaded ---------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One option the learner may say, with its points, feedback and where it leads."""

    say: str
    points: int
    feedback: str
    next: str
    say_zh: str = ""
    wants: tuple[str, ...] = ()
    phrase: str | None = None


@dataclass(frozen=True)
class Node:
    """One turn of the customer: what they say and the replies the learner may choose."""

    id: str
    customer: str
    replies: tuple[Reply, ...]
    customer_zh: str = ""


@dataclass(frozen=True)
class Scenario:
    """A checked role play: its people, its nodes (in file order) and its closing texts.

    `phrases` holds the service phrases its replies name, so a summary can quote them."""

    name: str
    title: str
    customer: str
    setting: str
    start: str
    nodes: dict[str, Node]
    title_zh: str = ""
    endings: dict[str, str] = field(default_factory=dict)
    phrases: dict[str, Phrase] = field(default_factory=dict)

    @property
    def max_score(self) -> int:
        """The best score a learner can reach from the start."""
        return _values(self, best=True)[self.start]

    @property
    def min_score(self) -> int:
        """The worst score a learner can reach from the start."""
        return _values(self, best=False)[self.start]

    def best_reply(self, node_id: str) -> int:
        """The index of the reply at `node_id` on a path to the best score."""
        return _pick(self, node_id, best=True)

    def ending_text(self, ending: str) -> str:
        """The closing text of an ending id (or `end`); empty when the file gives none."""
        return self.endings.get(ending, "")


def _values(scenario: Scenario, *, best: bool) -> dict[str, int]:
    """The best (or worst) points still to be won from each node to an ending."""
    values: dict[str, int] = {}

    def value(node_id: str) -> int:
        if node_id not in scenario.nodes:
            return 0  # an ending
        if node_id not in values:  # the graph is acyclic, so this recursion ends
            totals = [r.points + value(r.next) for r in scenario.nodes[node_id].replies]
            values[node_id] = max(totals) if best else min(totals)
        return values[node_id]

    for node_id in scenario.nodes:
        value(node_id)
    return values


def _pick(scenario: Scenario, node_id: str, *, best: bool) -> int:
    """The reply at a node on the best (worst) path; ties go to the higher (lower) points."""
    values = _values(scenario, best=best)
    replies = scenario.nodes[node_id].replies
    sign = 1 if best else -1

    def rank(i: int) -> tuple[int, int, int]:
        reply = replies[i]
        total = reply.points + values.get(reply.next, 0)
        return (sign * total, sign * reply.points, -i)

    return max(range(len(replies)), key=rank)


def _path(scenario: Scenario, *, best: bool) -> list[int]:
    node_id, path = scenario.start, []
    while node_id in scenario.nodes:
        i = _pick(scenario, node_id, best=best)
        path.append(i)
        node_id = scenario.nodes[node_id].replies[i].next
    return path


def best_path(scenario: Scenario) -> list[int]:
    """The reply indices (from 0) that reach `scenario.max_score`, from the start to an end."""
    return _path(scenario, best=True)


def worst_path(scenario: Scenario) -> list[int]:
    """The reply indices (from 0) that reach `scenario.min_score`, the worst way to handle it."""
    return _path(scenario, best=False)


# -- loading and checking ------------------------------------------------------------------

_TOP_KEYS = {"title": True, "title_zh": False, "customer": True, "setting": True}
_TOP_KEYS |= {"start": True, "nodes": True, "endings": False}
_NODE_KEYS = {"customer": True, "customer_zh": False, "replies": True}
_REPLY_KEYS = {"say": True, "say_zh": False, "points": True, "wants": False, "phrase": False}
_REPLY_KEYS |= {"feedback": True, "next": True}
_MISSING = {
    "title": "give the scenario a title",
    "customer": "say in a sentence or two who the learner is talking to",
    "setting": "describe the situation in two or three sentences",
    "start": "name the node the conversation starts at",
    "nodes": "add the customer's turns under `nodes:`",
    "replies": "give the node 2 to 4 replies",
    "say": "write what the learner says",
    "points": f"give every reply points from {MIN_POINTS} (does harm) to {MAX_POINTS} (the best)",
    "feedback": "say in a sentence or two why the reply is good or bad",
    "next": "name the node it leads to, an ending, or `end`",
}


_ID = re.compile(r"\w+")


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _hint(word: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


@dataclass
class _Draft:
    """A node as read, before the graph checks: its replies' targets and their lines."""

    id: str
    line: int
    path: str
    customer: str = ""
    customer_zh: str = ""
    replies: list[dict] = field(default_factory=list)


class _Reader:
    """Walks the composed YAML tree, collecting every problem with its line and key path."""

    def __init__(self, file: str, phrases: dict[str, Phrase]) -> None:
        self.file = file
        self.phrases = phrases
        self.problems: list[Problem] = []

    def problem(self, line: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, column, message))

    def mapping(
        self, node: yaml.Node, path: str, keys: dict[str, bool], what: str
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """The keys of a mapping node; unknown, repeated and missing keys are reported."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(_line(node), path or None, f"should be {what} given as `key: value` lines")
            return {}
        found: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        misspelt: set[str] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            where = f"{path}.{name}" if path else name
            if name is None:
                self.problem(_line(key), path or None, "has a key that is not a plain word")
            elif name in found:
                first = _line(found[name][0])
                self.problem(
                    _line(key),
                    where,
                    f"is given twice (first on line {first}); keep one, as YAML would "
                    "silently drop the first",
                )
            elif name not in keys:
                close = difflib.get_close_matches(name, list(keys), n=1, cutoff=0.6)
                misspelt.update(close)
                self.problem(
                    _line(key),
                    where,
                    f"is not a key {what} may have"
                    + (
                        f"; did you mean {close[0]!r}?"
                        if close
                        else f" (allowed: {', '.join(keys)})"
                    ),
                )
            else:
                found[name] = (key, value)
        for name, required in keys.items():
            # a misspelt key is reported once, as misspelt, not also as missing
            if required and name not in found and name not in misspelt:
                where = f"{path}.{name}" if path else name
                self.problem(_line(node), where, f"is missing: {_MISSING[name]}")
        return found

    def text(self, found: dict, name: str, path: str) -> str:
        """A text value, kept as written (so `No` stays the word, not false)."""
        if name not in found:
            return ""
        value = found[name][1]
        where = f"{path}.{name}" if path else name
        if not isinstance(value, yaml.ScalarNode):
            self.problem(_line(value), where, "should be text; put it in quotes on one line")
            return ""
        if value.tag == "tag:yaml.org,2002:null" or not value.value.strip():
            self.problem(_line(value), where, "is empty; write the text or delete the key")
            return ""
        return " ".join(value.value.split())

    def points(self, found: dict, path: str) -> int | None:
        if "points" not in found:
            return None
        value = found["points"][1]
        where = f"{path}.points"
        allowed = f"a whole number from {MIN_POINTS} to {MAX_POINTS}"
        if not isinstance(value, yaml.ScalarNode) or value.tag != "tag:yaml.org,2002:int":
            shown = value.value if isinstance(value, yaml.ScalarNode) else "a list"
            self.problem(_line(value), where, f"{shown!r} is not a score; give {allowed}")
            return None
        number = yaml.SafeLoader("").construct_yaml_int(value)
        if not MIN_POINTS <= number <= MAX_POINTS:
            self.problem(_line(value), where, f"{number} is out of range; give {allowed}")
            return None
        return number

    def ids(self, found: dict, name: str, path: str, known: dict, what: str) -> list[str]:
        """One id or a list of ids, each checked against `known`."""
        if name not in found:
            return []
        value = found[name][1]
        items = value.value if isinstance(value, yaml.SequenceNode) else [value]
        out = []
        for item in items:
            where = f"{path}.{name}"
            if not isinstance(item, yaml.ScalarNode) or not item.value.strip():
                self.problem(_line(item), where, f"should be {what} ids, as words")
            elif item.value not in known:
                hint = _hint(item.value, known) or f"; use one of: {', '.join(known)}"
                self.problem(_line(item), where, f"{item.value!r} is not {what} id{hint}")
            else:
                out.append(item.value)
        return out

    def reply(self, node: yaml.Node, path: str) -> dict:
        found = self.mapping(node, path, _REPLY_KEYS, "a reply")
        phrase = self.ids(found, "phrase", path, self.phrases, "a service phrase")
        if "phrase" in found and isinstance(found["phrase"][1], yaml.SequenceNode):
            self.problem(
                _line(found["phrase"][1]), f"{path}.phrase", "should be one id, not a list"
            )
        next_node = found.get("next", (None, node))[1]
        return {
            "say": self.text(found, "say", path),
            "say_zh": self.text(found, "say_zh", path) if "say_zh" in found else "",
            "points": self.points(found, path),
            "wants": tuple(self.ids(found, "wants", path, _WANTS, "a customer want")),
            "phrase": phrase[0] if phrase else None,
            "feedback": self.text(found, "feedback", path),
            "next": self.text(found, "next", path) or None,
            "next_line": _line(next_node),
            "path": path,
        }

    def node(self, key: yaml.Node, value: yaml.Node, path: str) -> _Draft:
        draft = _Draft(key.value, _line(key), path)
        found = self.mapping(value, path, _NODE_KEYS, "a node")
        draft.customer = self.text(found, "customer", path)
        draft.customer_zh = self.text(found, "customer_zh", path) if "customer_zh" in found else ""
        if "replies" in found:
            replies = found["replies"][1]
            if not isinstance(replies, yaml.SequenceNode):
                self.problem(
                    _line(replies), f"{path}.replies", "should be a list of replies, each `- say:`"
                )
            else:
                for number, item in enumerate(replies.value, start=1):
                    draft.replies.append(self.reply(item, f"{path}.replies[{number}]"))
                count = len(replies.value)
                if count < 2:
                    self.problem(
                        _line(found["replies"][0]),
                        f"{path}.replies",
                        f"has {count} repl{'y' if count == 1 else 'ies'}; give every node "
                        "2 to 4 replies so the learner has a choice",
                    )
        return draft


def _graph_problems(
    reader: _Reader,
    start: tuple[str, int] | None,
    drafts: dict[str, _Draft],
    endings: dict[str, int],
) -> None:
    """Targets that do not exist, nodes and endings never reached, loops, nodes that never end.

    `endings` maps each ending id to its line."""
    targets = set(drafts) | set(endings) | {END}
    used = {reply["next"] for draft in drafts.values() for reply in draft.replies}
    for ending, line in endings.items():
        if ending not in used:
            reader.problem(
                line,
                f"endings.{ending}",
                "is never reached: no reply's `next` names it; use it or delete it",
            )
    edges: dict[str, list[dict]] = {}
    for draft in drafts.values():
        edges[draft.id] = []
        for reply in draft.replies:
            target = reply["next"]
            if target is None:
                continue
            if target not in targets:
                reader.problem(
                    reply["next_line"],
                    f"{reply['path']}.next",
                    f"leads nowhere: there is no node or ending {target!r}"
                    + (_hint(target, targets) or "; add it, or use `end`"),
                )
            elif target in drafts:
                edges[draft.id].append(reply)
    if start is not None:
        seen, todo = {start[0]}, [start[0]]
        while todo:
            for reply in edges[todo.pop()]:
                if reply["next"] not in seen:
                    seen.add(reply["next"])
                    todo.append(reply["next"])
        for draft in drafts.values():
            if draft.id not in seen:
                reader.problem(
                    draft.line,
                    draft.path,
                    f"is an unreachable node: no reply leads to it from the start node "
                    f"{start[0]!r}; point a reply's `next` at it or delete it",
                )
    # Loops: a reply that leads back to a node still on the walk (a back edge).
    state: dict[str, int] = {}  # 1: on the current walk, 2: done

    def walk(node_id: str) -> None:
        state[node_id] = 1
        for reply in edges[node_id]:
            target = reply["next"]
            if state.get(target) == 1:
                reader.problem(
                    reply["next_line"],
                    f"{reply['path']}.next",
                    f"leads back to node {target!r}, so the conversation could go round "
                    "for ever; lead it on to a new node or an ending",
                )
            elif target not in state:
                walk(target)
        state[node_id] = 2

    for node_id in drafts:
        if node_id not in state:
            walk(node_id)
    # Nodes from which no choice of replies reaches an ending (a reply with a missing or
    # unknown `next` counts as ending there: it is reported already).
    ends = {d.id for d in drafts.values() if any(r["next"] not in drafts for r in d.replies)}
    ends |= {d.id for d in drafts.values() if not d.replies}
    changed = True
    while changed:
        changed = False
        for draft in drafts.values():
            if draft.id not in ends and any(r["next"] in ends for r in draft.replies):
                ends.add(draft.id)
                changed = True
    for draft in drafts.values():
        if draft.id not in ends:
            reader.problem(
                draft.line,
                draft.path,
                "never ends: no choice of replies from here reaches `end` or an ending; "
                "give one reply here or later `next: end`",
            )


def _read_endings(
    reader: _Reader,
    top: dict,
    drafts: dict[str, _Draft],
    endings: dict[str, str],
    lines: dict[str, int],
) -> None:
    """The closing texts by id; an id may not repeat or be a node's id."""
    if "endings" not in top:
        return
    node = top["endings"][1]
    if not isinstance(node, yaml.MappingNode):
        reader.problem(_line(node), "endings", "should hold `id: closing text` lines")
        return
    for key, value in node.value:
        ending = key.value if isinstance(key, yaml.ScalarNode) else ""
        path = f"endings.{ending}"
        if not ending.strip():
            reader.problem(_line(key), "endings", "has an ending without an id")
        elif not _ID.fullmatch(ending):
            reader.problem(_line(key), path, "an ending id is one word: letters, digits and _ only")
        elif ending in endings:
            reader.problem(_line(key), path, f"ending {ending!r} is given twice; keep one")
        elif ending in drafts:
            reader.problem(
                _line(key), path, f"{ending!r} is a node id too; give the ending another id"
            )
        else:
            endings[ending] = reader.text({ending: (key, value)}, ending, "endings")
            lines[ending] = _line(key)


def _read(text: str, file: str, name: str, phrases: dict[str, Phrase]) -> Scenario:
    reader = _Reader(file, phrases)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        message = f"is not valid YAML: {err.problem}"
        if err.context_mark is not None and mark is not None and err.context_mark != mark:
            message += f" ({err.context} on line {err.context_mark.line + 1})"
        if "mapping values are not allowed" in str(err.problem):
            message += "; text that holds ': ' must be put in quotes"
        elif "cannot start any token" in str(err.problem):
            message += "; indent with spaces, not tabs"
        raise DataValidationError(
            [Problem(file, mark.line + 1 if mark else None, None, message)]
        ) from None
    except yaml.YAMLError as err:
        raise DataValidationError(
            [Problem(file, None, None, f"is not valid YAML: {err}")]
        ) from None
    if root is None:
        raise DataValidationError([Problem(file, None, None, "is empty; copy a scenario file")])
    top = reader.mapping(root, "", _TOP_KEYS, "a scenario")
    fields = {key: reader.text(top, key, "") for key in ("title", "title_zh", "customer")}
    fields["setting"] = reader.text(top, "setting", "")
    endings: dict[str, str] = {}
    drafts: dict[str, _Draft] = {}
    if "nodes" in top:
        nodes = top["nodes"][1]
        if not isinstance(nodes, yaml.MappingNode):
            reader.problem(
                _line(nodes), "nodes", "should hold the nodes, each `id:` on its own line"
            )
        else:
            for key, value in nodes.value:
                node_id = key.value if isinstance(key, yaml.ScalarNode) else ""
                path = f"nodes.{node_id}"
                if node_id in drafts:
                    first = drafts[node_id].line
                    reader.problem(
                        _line(key),
                        path,
                        f"node id {node_id!r} is used twice (first on line {first}); YAML "
                        "would silently keep only the last, so rename one",
                    )
                    continue
                if not node_id.strip():
                    reader.problem(_line(key), "nodes", "has a node without an id")
                    continue
                if node_id == END:
                    reader.problem(
                        _line(key),
                        path,
                        "`end` is kept for ending the conversation; give the node another id",
                    )
                elif not _ID.fullmatch(node_id):
                    reader.problem(
                        _line(key), path, "a node id is one word: letters, digits and _ only"
                    )
                drafts[node_id] = reader.node(key, value, path)
            if not drafts:
                reader.problem(_line(nodes), "nodes", "is empty; add the customer's turns")
    ending_lines: dict[str, int] = {}
    _read_endings(reader, top, drafts, endings, ending_lines)
    start = None
    if "start" in top:
        start_id = reader.text(top, "start", "")
        line = _line(top["start"][1])
        if start_id and start_id not in drafts:
            hint = _hint(start_id, drafts) or f"; the nodes are: {', '.join(drafts)}"
            reader.problem(line, "start", f"names no node {start_id!r}{hint}")
        elif start_id:
            start = (start_id, line)
    _graph_problems(reader, start, drafts, ending_lines)
    if reader.problems:
        raise DataValidationError(sorted(reader.problems, key=lambda p: p.row or 0))
    nodes_out = {
        d.id: Node(
            d.id,
            d.customer,
            tuple(
                Reply(
                    r["say"],
                    r["points"],
                    r["feedback"],
                    r["next"],
                    r["say_zh"],
                    r["wants"],
                    r["phrase"],
                )
                for r in d.replies
            ),
            d.customer_zh,
        )
        for d in drafts.values()
    }
    used = {r.phrase for node in nodes_out.values() for r in node.replies if r.phrase}
    return Scenario(
        name,
        start=start[0],
        nodes=nodes_out,
        endings=endings,
        phrases={k: v for k, v in phrases.items() if k in used},
        **fields,
    )


def load_scenario(path: Path | str, *, phrases: dict[str, Phrase] | None = None) -> Scenario:
    """The scenario in a YAML file, checked; a broken file raises DataValidationError.

    Every problem is listed as `file:line: key path: what is wrong`. `phrases` checks the
    reply phrase ids against another phrase list (a trainer's copy)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataValidationError(
            [
                Problem(
                    path.name, None, None, f"the scenario file is missing (looked in {path.parent})"
                )
            ]
        ) from None
    except UnicodeDecodeError as err:
        raise DataValidationError(
            [Problem(path.name, None, None, f"is not UTF-8 text ({err.reason}); save it as UTF-8")]
        ) from None
    return _read(text, path.name, path.stem, PHRASES if phrases is None else phrases)


def scenarios(folder: Path | str | None = None) -> dict[str, Scenario]:
    """Every scenario in the folder (the package's by default), keyed by file stem, in name order.

    The problems of all broken files are reported together."""
    folder = Path(folder if folder is not None else FOLDER)
    out: dict[str, Scenario] = {}
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            out[path.stem] = load_scenario(path)
        except DataValidationError as err:
            problems.extend(err.problems)
    if problems:
        raise DataValidationError(problems)
    return out


# -- playing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    """One exchange: what the customer said, the reply chosen, and the best reply there."""

    node: str
    customer: str
    index: int
    reply: Reply
    best_index: int
    best: Reply
    was_best: bool

    @property
    def points(self) -> int:
        """The points the chosen reply earned."""
        return self.reply.points

    @property
    def feedback(self) -> str:
        """Why the chosen reply was good or bad."""
        return self.reply.feedback


def _quote(text: str) -> str:
    return f"\u201c{text}\u201d"


def _phrase_text(phrase: Phrase) -> str:
    return f"{_quote(phrase.english)} ({phrase.chinese})"


@dataclass(frozen=True)
class Summary:
    """The end of a role play: the score, what went well and what to change."""

    score: int
    max_score: int
    min_score: int
    finished: bool
    ending: str
    went_well: tuple[str, ...]
    to_change: tuple[str, ...]
    wants_met: tuple[str, ...]
    wants_missed: tuple[str, ...]
    do_phrases: tuple[str, ...]
    dont_phrases: tuple[str, ...]

    @property
    def verdict(self) -> str:
        """A one-line judgement of the score, from where it lies between worst and best."""
        span = self.max_score - self.min_score
        share = 1.0 if span == 0 else (self.score - self.min_score) / span
        if share >= 0.9:
            return "Very well handled: the customer was heard and the problem solved."
        if share >= 0.6:
            return "Well handled on the whole, with a few replies to improve."
        if share >= 0.3:
            return "A mixed conversation: some replies helped and some made things worse."
        return "This conversation went badly; read what to change and try again."

    def text(self) -> str:
        """The summary as plain text, for a notebook's output or a printout."""
        lines = [f"Score: {self.score} of {self.max_score}. {self.verdict}"]
        if not self.finished:
            lines.append("(The conversation is not finished yet.)")
        if self.ending:
            lines += ["", self.ending]
        for title, items in (
            ("What went well", self.went_well),
            ("What to change", self.to_change),
        ):
            lines += ["", f"{title}:"]
            none = "- nothing this time" if self.finished else "- nothing yet"
            lines += [f"- {item}" for item in items] or [none]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


class Conversation:
    """A role play in progress: the current node, the turns so far and the score.

    Pure: it reads no input and prints nothing, so a widget, a test or a static page can
    drive it with `choose`."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._node_id: str = scenario.start
        self._turns: list[Turn] = []

    @property
    def node(self) -> Node | None:
        """The customer's current turn, or None when the conversation has ended."""
        return self.scenario.nodes.get(self._node_id)

    @property
    def finished(self) -> bool:
        """True once a reply has led to an ending."""
        return self._node_id not in self.scenario.nodes

    @property
    def ending(self) -> str | None:
        """The ending id reached (`end` for a plain end), or None while still playing."""
        return self._node_id if self.finished else None

    @property
    def history(self) -> tuple[Turn, ...]:
        """The turns played, first first."""
        return tuple(self._turns)

    @property
    def score(self) -> int:
        """The points earned so far."""
        return sum(turn.points for turn in self._turns)

    @property
    def max_score(self) -> int:
        """The best score reachable from the start (not from here)."""
        return self.scenario.max_score

    @property
    def min_score(self) -> int:
        """The worst score reachable from the start."""
        return self.scenario.min_score

    def choose(self, index: int) -> Turn:
        """Say reply `index` (from 0) of the current node; returns the turn with its feedback."""
        node = self.node
        if node is None:
            raise CrmkitError("The conversation has ended; start a new Conversation to play again.")
        if isinstance(index, bool) or not isinstance(index, int):
            raise CrmkitError(f"Choose a reply by its number, 0 to {len(node.replies) - 1}.")
        if not 0 <= index < len(node.replies):
            raise CrmkitError(
                f"There is no reply {index} here; choose 0 to {len(node.replies) - 1}."
            )
        values = _values(self.scenario, best=True)
        reply = node.replies[index]
        best_index = self.scenario.best_reply(node.id)
        best = node.replies[best_index]

        def total(r: Reply) -> int:
            return r.points + values.get(r.next, 0)

        turn = Turn(
            node.id, node.customer, index, reply, best_index, best, total(reply) >= total(best)
        )
        self._turns.append(turn)
        self._node_id = reply.next
        return turn

    def summary(self) -> Summary:
        """What went well (best replies, wants met, do-phrases) and what to change."""
        went_well, to_change = [], []
        known = self.scenario.phrases
        wants: dict[str, None] = {}
        dos: dict[str, None] = {}
        donts: dict[str, None] = {}
        for turn in self._turns:
            reply = turn.reply
            phrase = known.get(reply.phrase) if reply.phrase else None
            if phrase is not None:
                (dos if phrase.kind == "do" else donts)[phrase.id] = None
            if reply.points > 0:
                wants |= dict.fromkeys(reply.wants)
            if turn.was_best:
                went_well.append(f"{_quote(reply.say)} ({reply.points:+d}) {reply.feedback}")
                continue
            better = turn.best
            line = f"{_quote(reply.say)} ({reply.points:+d}) {reply.feedback} Better: "
            line += _quote(better.say)
            if better.phrase in known:
                line += f" (it uses the phrase {_phrase_text(known[better.phrase])})"
            to_change.append(line)
        for phrase_id in dos:
            went_well.append(f"You used the service phrase {_phrase_text(known[phrase_id])}.")
        for phrase_id in donts:
            to_change.append(
                f"{_phrase_text(known[phrase_id])} is one of the don'ts of service phrases "
                "(九准九不准): never say it to a customer."
            )
        met = tuple(w.id for w in WANTS if w.id in wants)
        missed = tuple(w.id for w in WANTS if w.id not in wants)
        if met:
            named = ", ".join(f"{_WANTS[w].english} ({_WANTS[w].chinese})" for w in met)
            went_well.append(f"Your replies met what the customer wanted: {named}.")
        if missed and self.finished:
            named = ", ".join(f"{_WANTS[w].english} ({_WANTS[w].chinese})" for w in missed)
            to_change.append(
                f"No reply of yours met these wants of a complaining customer: {named}."
            )
        ending = self.ending
        return Summary(
            score=self.score,
            max_score=self.max_score,
            min_score=self.min_score,
            finished=self.finished,
            ending=self.scenario.ending_text(ending) if ending else "",
            went_well=tuple(went_well),
            to_change=tuple(to_change),
            wants_met=met,
            wants_missed=missed,
            do_phrases=tuple(dos),
            dont_phrases=tuple(donts),
        )


def play(scenario: Scenario, choices: Sequence[int]) -> Conversation:
    """A conversation with `choices` (reply indices from 0) played in turn; for tests and pages."""
    conversation = Conversation(scenario)
    for index in choices:
        conversation.choose(index)
    return conversation


def turns_table(scenario: Scenario) -> pd.DataFrame:
    """Every node and reply as one row each, for a static page where no widget runs.

    Columns: node, customer, option (A, B, ...), reply, points, best, phrase, wants, next,
    feedback; nodes in file order, replies in the order the learner sees them."""
    rows = []
    for node in scenario.nodes.values():
        best = scenario.best_reply(node.id)
        for i, reply in enumerate(node.replies):
            rows.append(
                {
                    "node": node.id,
                    "customer": node.customer,
                    "option": chr(ord("A") + i),
                    "reply": reply.say,
                    "points": reply.points,
                    "best": i == best,
                    "phrase": reply.phrase or "",
                    "wants": ", ".join(reply.wants),
                    "next": reply.next,
                    "feedback": reply.feedback,
                }
            )
    return pd.DataFrame(rows)
