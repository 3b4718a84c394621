"""The role-play widget: a complaint conversation played turn by turn (CO3, CO8, CO9).

The learner reads what the customer says and picks a reply; the feedback shows at once,
the conversation moves on, and at the end the widget shows the score and the summary of
`roleplay.Conversation`. The engine does the thinking; this module only draws it.
"""

from __future__ import annotations

from html import escape

import ipywidgets as w
import pandas as pd
from IPython.display import HTML, display

from crmkit import roleplay
from crmkit.errors import CrmkitError
from crmkit.plots.style import PALETTE
from crmkit.widgets.base import heading
from crmkit.widgets.tables import table_html


class RolePlay:
    """Play one of the role-play scenarios (`roleplay.scenarios()`, or the `scenarios`
    given): a scenario menu, the conversation so far, the customer's line, one button per
    reply, the feedback on the last reply and, at the end, the score and the summary."""

    def __init__(
        self,
        scenario: str | None = None,
        scenarios: dict[str, roleplay.Scenario] | None = None,
    ) -> None:
        self.scenarios = scenarios if scenarios is not None else roleplay.scenarios()
        if not self.scenarios:
            raise CrmkitError("no role-play scenario found: add a YAML file to the folder")
        first = "late_delivery" if "late_delivery" in self.scenarios else next(iter(self.scenarios))
        name = scenario or first
        if name not in self.scenarios:
            raise CrmkitError(f"no scenario {name!r}; there are {', '.join(self.scenarios)}")
        self.name = name
        self.conversation = roleplay.Conversation(self.scenarios[name])
        self._root: w.VBox | None = None
        self._menu: w.Dropdown | None = None
        self._story = w.HTML()
        self._story.add_class("crmkit-story")
        self._customer = w.HTML()
        self._customer.add_class("crmkit-customer")
        self._replies = w.VBox()
        self._feedback = w.HTML()
        self._feedback.add_class("crmkit-feedback")
        self._score = w.HTML()
        self._score.add_class("crmkit-score")
        self._again = w.Button(description="Play again", layout=w.Layout(width="140px"))
        self._again.add_class("crmkit-control-again")
        self._again.on_click(lambda _: self.restart())

    # -- what the learner does --------------------------------------------------------------
    def choose(self, index: int) -> roleplay.Turn:
        """Say reply `index` (from 0) and redraw: what a reply button does."""
        turn = self.conversation.choose(index)
        self._feedback.value = turn_html(self.conversation.scenario, turn)
        self.draw()
        return turn

    def restart(self, name: str | None = None) -> None:
        """Start the conversation again, or start scenario `name`."""
        if name is not None:
            if name not in self.scenarios:
                raise CrmkitError(f"no scenario {name!r}; there are {', '.join(self.scenarios)}")
            self.name = name
        self.conversation = roleplay.Conversation(self.scenarios[self.name])
        self._feedback.value = ""
        self.draw()

    # -- drawing ------------------------------------------------------------------------------
    def draw(self) -> None:
        """Show the conversation as it stands."""
        scenario = self.conversation.scenario
        self._story.value = story_html(scenario) + history_html(self.conversation)
        node = self.conversation.node
        if node is None:
            self._customer.value = ""
            self._replies.children = [self._again]
            self._score.value = summary_html(self.conversation.summary())
            return
        self._score.value = (
            f"<p><small>Points so far: {self.conversation.score} "
            f"(the best conversation earns {self.conversation.max_score})</small></p>"
        )
        said = escape(node.customer)
        if node.customer_zh:
            said += f"<br><small>{escape(node.customer_zh)}</small>"
        self._customer.value = (
            f"<p style='border-left:4px solid {PALETTE['orange']};padding-left:8px'>"
            f"<b>Customer:</b> {said}</p><p><b>Your reply:</b></p>"
        )
        buttons = []
        for i, reply in enumerate(node.replies):
            button = w.Button(
                description=f"{chr(ord('A') + i)}. {reply.say}",
                tooltip=reply.say,
                layout=w.Layout(width="auto", max_width="760px", height="auto"),
            )
            button.style.text_align = "left"
            button.add_class(f"crmkit-reply-{i}")
            button.add_class("crmkit-reply")
            button.on_click(lambda _b, i=i: self.choose(i))
            buttons.append(button)
        self._replies.children = buttons

    def widget(self) -> w.Widget:
        if self._root is not None:
            return self._root
        self._menu = w.Dropdown(
            options=[(s.title, key) for key, s in self.scenarios.items()],
            value=self.name,
            description="Scenario",
        )
        self._menu.add_class("crmkit-control-scenario")
        self._menu.observe(lambda change: self.restart(change["new"]), names="value")
        self._root = w.VBox(
            [
                heading("Role play: a complaint conversation"),
                self._menu,
                self._story,
                self._feedback,
                self._customer,
                self._replies,
                self._score,
            ]
        )
        self._root.add_class("crmkit-roleplay")
        self.draw()
        return self._root

    def static(self) -> None:
        """The scenario and its first turn as a table (GitHub, PDF): the replies to weigh,
        without their points, so the page does not give the answers away."""
        scenario = self.scenarios[self.name]
        node = scenario.nodes[scenario.start]
        display(HTML(story_html(scenario)))
        options = pd.DataFrame(
            {
                "option": [chr(ord("A") + i) for i in range(len(node.replies))],
                "your reply": [r.say for r in node.replies],
            }
        )
        caption = f"The customer: {node.customer}"
        display(HTML(table_html(options, caption=caption)))

    def _ipython_display_(self) -> None:
        display(self.widget())


def story_html(scenario: roleplay.Scenario) -> str:
    """The scenario's title, who the customer is and the situation."""
    title = escape(scenario.title)
    if scenario.title_zh:
        title += f" ({escape(scenario.title_zh)})"
    return (
        f"<h4>{title}</h4><p><b>Who:</b> {escape(scenario.customer)}</p>"
        f"<p><b>What happened:</b> {escape(scenario.setting)}</p>"
    )


def history_html(conversation: roleplay.Conversation) -> str:
    """The turns played so far, as lines of a transcript."""
    lines = []
    for turn in conversation.history:
        lines.append(
            f"<li><b>Customer:</b> {escape(turn.customer)}<br><b>You:</b> "
            f"{escape(turn.reply.say)} <small>({turn.points:+d})</small></li>"
        )
    return f"<ol class='crmkit-history'>{''.join(lines)}</ol>" if lines else ""


def turn_html(scenario: roleplay.Scenario, turn: roleplay.Turn) -> str:
    """The feedback on one reply: its points, why, and the phrase it used."""
    colour = PALETTE["green"] if turn.was_best else PALETTE["vermillion"]
    text = f"<b>{turn.points:+d} points.</b> {escape(turn.feedback)}"
    phrase = scenario.phrases.get(turn.reply.phrase) if turn.reply.phrase else None
    if phrase is not None:
        kind = "a do" if phrase.kind == "do" else "a don't"
        text += (
            f"<br><small>The phrase \u201c{escape(phrase.english)}\u201d "
            f"({escape(phrase.chinese)}) is {kind} of service phrases "
            "(九准九不准, seed 001).</small>"
        )
    return f"<p style='border-left:4px solid {colour};padding-left:8px'>{text}</p>"


def summary_html(summary: roleplay.Summary) -> str:
    """The end of a conversation: score, verdict, ending, what went well, what to change."""
    parts = [
        f"<h4>Score: {summary.score} of {summary.max_score}</h4>",
        f"<p><b>{escape(summary.verdict)}</b></p>",
    ]
    if summary.ending:
        parts.append(f"<p><i>{escape(summary.ending)}</i></p>")
    for title, items in (
        ("What went well", summary.went_well),
        ("What to change", summary.to_change),
    ):
        rows = "".join(f"<li>{escape(item)}</li>" for item in items) or "<li>nothing this time</li>"
        parts.append(f"<p><b>{title}</b></p><ul>{rows}</ul>")
    return "".join(parts)
