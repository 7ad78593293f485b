"""What the agent is doing, as events for a progress display (``optimus solve``, ``chat``).

The loop (:class:`~optimus.agent.loop.Agent`) and the LangChain adapter report
:class:`ProgressEvent` objects to an optional callback; the terminal display lives in
:mod:`optimus.render.agent_status`. Events are data: nothing here prints.

    >>> seen = []
    >>> report = seen.append
    >>> report(ProgressEvent(Step.ASK, attempt=1, of=4, purpose="formulate", label="m"))
    >>> seen[0].text()
    'attempt 1 of 4: asking m to formulate'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from optimus._compat import StrEnum


class Step(StrEnum):
    """What started or ended."""

    ASK = "ask"  # a model call started
    ANSWERED = "answered"  # the model answered
    SOLVE = "solve"  # a solve of the reply started
    SOLVED = "solved"  # the solve ended
    RETRY = "retry"  # a model call failed and will be retried after a pause


_VERB = {"formulate": "to formulate", "repair": "to repair", "ground": "about unused numbers",
         "edit": "to edit"}


@dataclass(frozen=True)
class ProgressEvent:
    """One step of the loop. ``attempt``/``of``: attempt k of the budget N; ``seconds``:
    how long the step took (ANSWERED, SOLVED) or the pause before a retry (RETRY)."""

    step: Step
    attempt: int | None = None
    of: int | None = None
    purpose: str | None = None
    label: str | None = None
    seconds: float | None = None
    detail: str | None = None

    def text(self) -> str:
        """A short line for people."""
        head = f"attempt {self.attempt} of {self.of}: " if self.attempt and self.of else ""
        if self.step == Step.ASK:
            what = _VERB.get(str(self.purpose), f"({self.purpose})" if self.purpose else "")
            return f"{head}asking {self.label or 'the model'} {what}".rstrip()
        if self.step == Step.ANSWERED:
            return f"{head}answer after {self.seconds or 0:.1f} s"
        if self.step == Step.SOLVE:
            return f"{head}solving{f' with {self.label}' if self.label else ''}"
        if self.step == Step.SOLVED:
            return f"{head}solved in {self.seconds or 0:.1f} s" + (f": {self.detail}" if self.detail else "")
        return (f"{self.label or 'model'}: {self.detail or 'the call failed'}; retrying in "
                f"{self.seconds or 0:.0f} s")


Progress = Optional[Callable[[ProgressEvent], None]]


def emit(progress: Progress, event: ProgressEvent) -> None:
    """Report ``event``; a failing display never stops the loop."""
    if progress is None:
        return
    try:
        progress(event)
    except Exception:  # noqa: BLE001 - a display error is not the user's problem
        pass
