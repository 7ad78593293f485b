"""What the agent is doing, on stderr: a spinner at a terminal, plain lines otherwise.

:class:`StderrProgress` takes the agent's :class:`~optimus.agent.progress.ProgressEvent`
objects. A model call or a solve that lasts longer than ``delay`` seconds (1 s) is shown
while it runs: at a terminal as a rich status line with the elapsed time ("attempt 2 of
4: asking gpt-4o to repair (3.2 s)"), which disappears when the step ends; elsewhere (a
pipe, a log file, a test) as one plain line when it has taken ``delay`` seconds and one
when it ends. A retry after a failed call is always shown, with the error and the pause.
Fast steps print nothing, so scripted runs stay quiet.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from rich.console import Console
from rich.text import Text

from optimus.safe_text import SafeConsole
from optimus.agent.progress import ProgressEvent, Step

_STARTS = {Step.ASK, Step.SOLVE}
_ENDS = {Step.ANSWERED: Step.ASK, Step.SOLVED: Step.SOLVE}


class StderrProgress:
    """A progress display for the agent on stderr (see the module docstring).

    Use it as a context manager, or call :meth:`close` at the end, so that a running
    status line is taken down."""

    def __init__(self, console: Console | None = None, *, delay: float = 1.0,
                 live: bool | None = None, prefix: str = "optimus: "):
        self.console = console or SafeConsole(stderr=True, soft_wrap=True)
        self.live = self.console.is_terminal if live is None else live
        self.delay = delay
        self.prefix = prefix
        self._lock = threading.Lock()
        self._current: ProgressEvent | None = None
        self._started = 0.0
        self._shown = False
        self._generation = 0
        self._status: Any = None

    # ------------------------------------------------------------------ events
    def __call__(self, event: ProgressEvent) -> None:
        if event.step in _STARTS:
            self._begin(event)
        elif event.step in _ENDS:
            self._end(event)
        elif event.step == Step.RETRY:
            self._line(event.text(), style="yellow")

    def _begin(self, event: ProgressEvent) -> None:
        with self._lock:
            self._stop_status()
            self._generation += 1
            generation = self._generation
            self._current = event
            self._started = time.monotonic()
            self._shown = False
        timer = threading.Timer(self.delay, self._reveal, args=(generation,))
        timer.daemon = True
        timer.start()

    def _reveal(self, generation: int) -> None:
        with self._lock:
            if generation != self._generation or self._current is None:
                return
            self._shown = True
            event = self._current
            if self.live:
                self._status = self.console.status(Text(self._live_text()), spinner="dots")
                self._status.start()
                ticker = threading.Thread(target=self._tick, args=(generation,), daemon=True)
                ticker.start()
                return
        self._line(f"{event.text()} ...")

    def _tick(self, generation: int) -> None:
        while True:
            time.sleep(0.2)
            with self._lock:
                if generation != self._generation or self._status is None:
                    return
                self._status.update(Text(self._live_text()))

    def _live_text(self) -> str:
        assert self._current is not None
        return f"{self._current.text()} ({time.monotonic() - self._started:.1f} s)"

    def _end(self, event: ProgressEvent) -> None:
        with self._lock:
            current, shown = self._current, self._shown
            if current is None or current.step != _ENDS[event.step]:
                return
            self._generation += 1
            self._current = None
            self._stop_status()
        if shown and not self.live:
            self._line(event.text())

    # ------------------------------------------------------------------ output
    def _line(self, text: str, style: str | None = None) -> None:
        with self._lock:
            self._stop_status()
        self.console.print(Text(self.prefix + text, style=style or ""), highlight=False)

    def _stop_status(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def close(self) -> None:
        """Take down a running status line; later timers print nothing."""
        with self._lock:
            self._generation += 1
            self._current = None
            self._stop_status()

    def __enter__(self) -> "StderrProgress":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
