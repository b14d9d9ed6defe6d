"""What a report notebook needs from jkit besides display: skipping, and the caveats it collects.

A report that cannot run on a study says so instead of failing::

    from jkit.report_support import collect_caveats, require, show_caveats
    caveats = collect_caveats()          # first cell: every JkitWarning from here on is kept
    data = jkit.load(data_dir)
    require(data, "events")              # raises ReportSkipped("needs events: the study has none")
    ...
    show_caveats(caveats)                # last cell: a "Caveats" section in a reader's words

``jkit run`` turns :class:`~jkit.errors.ReportSkipped` into a *skipped* report with its reason.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

from jkit.errors import JkitWarning, ReportSkipped

__all__ = ["Caveats", "collect_caveats", "require", "show_caveats", "skip_report", "NEEDS"]

#: what a report may need: (table, column or None) -> how a reader is told it is missing
NEEDS = {
    "events": ("events", None, "needs events: the study has none"),
    "customers": ("customers", None, "needs customers: the study has none"),
    "feedback": ("feedback", None, "needs feedback: the study has none"),
    "feedback text": ("feedback", "text", "needs feedback text: the study has none"),
    "event times": ("events", "timestamp", "needs event times: the study has none"),
    "feedback times": ("feedback", "timestamp", "needs feedback times: the feedback has no timestamp column"),
    "feedback stages": ("feedback", "stage", "needs the stage of each feedback text: the feedback has no stage column"),
}


def skip_report(reason: str) -> None:
    """Stop the report here: ``jkit run`` marks it skipped with ``reason``."""
    raise ReportSkipped(reason)


def require(data, *needs: str) -> None:
    """Skip the report unless ``data`` holds every one of ``needs`` (keys of :data:`NEEDS`)."""
    for need in needs:
        if need not in NEEDS:
            raise KeyError(f"unknown need {need!r}; expected one of {', '.join(NEEDS)}")
        table, column, reason = NEEDS[need]
        if not data.has(table, column):
            skip_report(reason)


@dataclass
class Caveats:
    """The JkitWarnings raised since :func:`collect_caveats`, in order, without repeats."""

    messages: list[str] = field(default_factory=list)
    _previous: object = None

    def add(self, message: str) -> None:
        text = " ".join(str(message).split())
        if text and text not in self.messages:
            self.messages.append(text)


def collect_caveats() -> Caveats:
    """Start keeping every :class:`~jkit.errors.JkitWarning` (shown by :func:`show_caveats`), not printing them."""
    caveats = Caveats()
    previous = warnings.showwarning

    def keep(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, JkitWarning):
            caveats.add(str(message))
        else:
            previous(message, category, filename, lineno, file, line)

    caveats._previous = previous
    warnings.simplefilter("always", JkitWarning)
    warnings.showwarning = keep
    return caveats


def caveats_html(caveats: Caveats, data=None) -> str:
    """The HTML of the "Caveats" section (anchor ``#caveats``): every kept warning, and what loading noted."""
    from jkit.notebook import escape

    items = list(data.warnings()) if data is not None else []
    items += [m for m in caveats.messages if m not in items]
    if not items:
        body = "<p>None: nothing was set aside, filled in or left out.</p>"
    else:
        body = "<ul>" + "".join(f"<li>{escape(m)}</li>" for m in items) + "</ul>"
    return f"<h2 id='caveats'>Caveats</h2>{body}"


def show_caveats(caveats: Caveats, data=None) -> None:
    """Display the "Caveats" section."""
    from IPython.display import HTML, display

    display(HTML(caveats_html(caveats, data)))
