"""The chat session behind ``optimus chat``, separate from terminal I/O (and testable).

The first message states the problem and is solved by the agent loop; each later
message edits the current formulation through the ``chat_edit`` prompt and re-solves.
Every turn reports what changed in the formulation (a diff of compact forms) and in the
solution (objective before/after, variables whose values changed). Slash commands:
``/code [FILE]``, ``/math [FILE]``, ``/show``, ``/save FILE``, ``/undo``, ``/help``,
``/quit``.

    >>> from optimus.agent.langchain_model import LangChainModel
    >>> from optimus.testing import ScriptedChatModel
    >>> s = ChatSession(LangChainModel(ScriptedChatModel(responses=[])))
    >>> str(s.handle("/help").kind)
    'info'
"""

from __future__ import annotations

import difflib
import shlex
from dataclasses import dataclass, field
from typing import Any
from pathlib import Path
from typing import Any

from optimus.agent.loop import DEFAULT_MAX_ATTEMPTS, DEFAULT_TIME_LIMIT, Agent, check_text, evaluate
from optimus.agent.model import Model, Purpose, Request
from optimus.agent.progress import Progress
from optimus._compat import StrEnum
from optimus.agent.prompts import render
from optimus.answer import Answer
from optimus.errors import UserError
from optimus.formulation import Formulation
from optimus.render.text import compact_text
from optimus.result import Outcome

HELP = """Type a problem to start; then type changes ("add a minimum of 10 units of B",
"what if the budget is 500?", "make x integer").
Commands:
  /show          the current formulation (compact) and solution
  /math [FILE]   the formulation as math (Markdown with LaTeX to FILE if given)
  /code [FILE]   a standalone Pyomo script (to FILE if given)
  /save FILE     save the formulation (.yaml, .yml or .json)
  /export FILE   write the solution, one table per variable (.csv or .xlsx)
  /undo          go back to the previous formulation
  /help          this help
  /quit          leave (end of input works too)
End a line with \\ to continue the message on the next line."""


_UNDO_WORDS = {"undo", "undo that", "undo it", "undo the last change", "undo the last edit"}


@dataclass
class VariableChange:
    name: str
    index: list
    before: float | None
    after: float | None


@dataclass
class SolutionChange:
    """Objective and status before/after an edit, and the variables whose values moved."""

    status_before: str | None
    status_after: str | None
    objective_before: float | None
    objective_after: float | None
    variables: list[VariableChange] = field(default_factory=list)


class TurnKind(StrEnum):
    """What kind of turn a line of chat input produced."""

    SOLVED = "solved"  # the first problem, formulated and solved
    EDITED = "edited"  # an edit applied and re-solved (or /undo)
    UNCHANGED = "unchanged"  # the edit could not be applied
    NOT_OPTIMIZATION = "not_optimization"
    INFO = "info"  # command output in ``text``
    ERROR = "error"
    QUIT = "quit"


@dataclass
class ChatTurn:
    """What one line of input produced (see :class:`TurnKind`)."""

    kind: TurnKind
    text: str = ""
    answer: Answer | None = None
    formulation_diff: str = ""
    solution_change: SolutionChange | None = None


@dataclass
class _State:
    formulation: Formulation
    answer: Answer
    request: str


def formulation_diff(before: Formulation | None, after: Formulation | None) -> str:
    """A unified diff of the compact forms (empty when equal).

    When the change lies in table entries or set elements that the compact form
    abbreviates, the diff is taken over the full forms (long lines cut)."""
    def diff(full: bool) -> str:
        a = compact_text(before, full=full).splitlines() if before is not None else []
        b = compact_text(after, full=full).splitlines() if after is not None else []
        return "\n".join(difflib.unified_diff(a, b, "before", "after", lineterm="", n=1))

    short = diff(False)
    if short:
        return short
    return "\n".join(line if len(line) <= 300 else line[:300] + " ..."
                     for line in diff(True).splitlines())


def solution_change(before: Answer | None, after: Answer) -> SolutionChange:
    """Objective before/after and the variables whose values changed (beyond 1e-9)."""
    old = {(v.name, tuple(map(str, v.index))): (v.name, v.index, v.value)
           for v in (before.variables if before else [])}
    new = {(v.name, tuple(map(str, v.index))): (v.name, v.index, v.value) for v in after.variables}
    changes = []
    for key in list(old) + [k for k in new if k not in old]:
        b = old.get(key)
        a = new.get(key)
        vb = b[2] if b else None
        va = a[2] if a else None
        if vb is None or va is None or abs(vb - va) > 1e-9:
            name, index = (a or b)[0], (a or b)[1]  # type: ignore[index]
            changes.append(VariableChange(name, list(index), vb, va))
    return SolutionChange(before.status if before else None, after.status,
                          before.objective if before else None, after.objective, changes)


class ChatSession:
    """State and logic of an interactive session: problem, formulation history, commands."""

    def __init__(self, llm: Model, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS,
                 time_limit: float | None = DEFAULT_TIME_LIMIT, attachments: Any = None,
                 progress: Progress = None):
        self.llm = llm
        #: tables attached with ``--data`` (:class:`optimus.datafiles.Attachments`)
        self.attachments = attachments
        self.max_attempts = max_attempts
        #: what the session reads (the file of piped lines, a model file): /save, /code
        #: and /math never write over them (paths or file descriptors)
        self.inputs: dict[Any, str] = {}
        self.time_limit = time_limit
        self.progress = progress
        self.problem: str | None = None
        self.history: list[_State] = []
        self.on_attempt = None  # Agent.on_attempt for every solve and edit (progress)

    @property
    def current(self) -> _State | None:
        return self.history[-1] if self.history else None

    @property
    def formulation(self) -> Formulation | None:
        return self.current.formulation if self.current else None

    @property
    def answer(self) -> Answer | None:
        return self.current.answer if self.current else None

    def _agent(self, **kw: object) -> Agent:
        return Agent(self.llm, max_attempts=self.max_attempts, time_limit=self.time_limit,  # type: ignore[arg-type]
                     on_attempt=self.on_attempt, attachments=self.attachments,
                     progress=self.progress, **kw)

    # ------------------------------------------------------------------ messages
    def handle(self, line: str) -> ChatTurn | None:
        """One line of input: a slash command or a message. None for a blank line."""
        line = line.strip()
        if not line:
            return None
        if line.startswith("/"):
            return self.command(line)
        try:
            return self.send(line)
        except UserError as exc:
            return ChatTurn(TurnKind.ERROR, str(exc))

    def send(self, text: str) -> ChatTurn:
        """State the problem (first message) or edit the current formulation."""
        text = check_text(text)
        if self.current is None:
            return self._start(text)
        if text.strip().lower().rstrip(".!") in _UNDO_WORDS:
            return self.undo()
        answered = self._question(text)
        if answered is not None:
            return answered
        return self._edit(text)

    def _question(self, text: str) -> ChatTurn | None:
        """A what-if ("what if the budget is 500?": a parameter override, re-solved without
        a model call, saying whether the duals predicted it) or "why is x zero?" (from the
        reduced cost); None for anything else."""
        from optimus.agent.questions import what_if_overrides, why_zero

        cur = self.current
        assert cur is not None
        why = why_zero(text, cur.formulation, cur.answer)
        if why is not None:
            return ChatTurn(TurnKind.INFO, why, cur.answer)
        overrides = what_if_overrides(text, cur.formulation)
        if not overrides:
            return None
        from optimus.pipeline import SolveOptions
        from optimus.whatif import what_if

        report = what_if(cur.formulation, overrides, SolveOptions(time_limit=self.time_limit))
        if report.issues or report.result is None:
            return None
        answer = Answer.from_result(report.result, formulation=report.formulation,
                                    formulator="what-if (no model call)")
        w = report.result.what_if
        self.history.append(_State(report.formulation, answer, text))
        return ChatTurn(TurnKind.EDITED, w.explanation if w is not None else "", answer,
                        formulation_diff(cur.formulation, report.formulation),
                        solution_change(cur.answer, answer))

    def _start(self, text: str) -> ChatTurn:
        answer = self._agent().solve(text)
        if answer.status == Outcome.NOT_OPTIMIZATION:
            return ChatTurn(TurnKind.NOT_OPTIMIZATION, answer.message or "", answer)
        self.problem = text
        if answer.formulation is None:
            why = answer.diagnosis.issues if answer.diagnosis is not None else []
            text = "\n".join([answer.message or "No valid formulation was found.", *why])
            return ChatTurn(TurnKind.ERROR, text, answer)
        self.history.append(_State(answer.formulation, answer, text))
        return ChatTurn(TurnKind.SOLVED, answer.message or "", answer,
                        formulation_diff(None, answer.formulation), solution_change(None, answer))

    def start_from(self, f: Formulation, source: str) -> ChatTurn:
        """Start from a saved model (``optimus chat MODEL.yaml``, a model file opened in
        ``optimus serve``): solve it and make it the current formulation, so later
        messages edit it. An invalid model is kept too (its issues are the answer's
        diagnosis), so that the next message can fix it."""
        f = inline_data_files(f)  # edits are model replies, which may not name files
        answer = Answer.from_result(evaluate(f, time_limit=self.time_limit), formulation=f,
                                    formulator=f"model file {source}")
        self.problem = f.description or f"The optimization model {f.name!r} (from {source})."
        self.history.append(_State(f, answer, f"open {source}"))
        return ChatTurn(TurnKind.SOLVED, f"opened {source}", answer, formulation_diff(None, f),
                        solution_change(None, answer))

    def _edit(self, request: str) -> ChatTurn:
        cur = self.current
        assert cur is not None and self.problem is not None
        ans = cur.answer
        solution = (f"status {ans.status}" + (f", objective {ans.objective:.10g}" if ans.objective is not None else ""))
        prompt = render("chat_edit", problem=self.problem, formulation=cur.formulation.to_json(indent=None),
                        solution=solution, request=request)
        if self.attachments:
            from optimus.agent.loop import data_prompt

            prompt += "\n\n" + data_prompt(self.attachments)
        agent = self._agent(repair_solver_outcomes=False)
        edit = Request((), Purpose.EDIT, self.problem, request, cur.formulation)
        answer = agent.run(f"{self.problem}\n\nRequested change: {request}", prompt, ground=False,
                           first=edit)
        reason = agent.last_reason or ""
        if answer.status == Outcome.NOT_OPTIMIZATION:
            return ChatTurn(TurnKind.UNCHANGED, answer.message or "The request could not be applied.", answer)
        if answer.formulation is None:
            return ChatTurn(TurnKind.ERROR, answer.message or "The edit produced no valid formulation.", answer)
        diff = formulation_diff(cur.formulation, answer.formulation)
        if not diff:
            return ChatTurn(TurnKind.UNCHANGED, reason or "The formulation did not change.", answer)
        self.history.append(_State(answer.formulation, answer, request))
        text = reason if not answer.message else f"{reason} {answer.message}".strip()
        return ChatTurn(TurnKind.EDITED, text, answer, diff, solution_change(cur.answer, answer))

    # ------------------------------------------------------------------ commands
    def command(self, line: str) -> ChatTurn:
        """Run a slash command (see :data:`HELP`)."""
        try:
            parts = shlex.split(line)
        except ValueError as exc:
            return ChatTurn(TurnKind.ERROR, f"cannot read the command: {exc}")
        name, args = parts[0].lower(), parts[1:]
        if name in ("/quit", "/exit", "/q"):
            return ChatTurn(TurnKind.QUIT)
        if name in ("/help", "/?"):
            return ChatTurn(TurnKind.INFO, HELP)
        if name == "/undo":
            return self.undo()
        if self.current is None:
            return ChatTurn(TurnKind.ERROR, f"{name}: nothing to show yet; state a problem first.")
        try:
            if name == "/show":
                return ChatTurn(TurnKind.INFO, self.current.formulation.compact(), self.current.answer)
            if name == "/math":  # Unicode on screen; Markdown with LaTeX in a file
                if args:
                    return self._output(math_text(self.current.formulation), args)
                return ChatTurn(TurnKind.INFO, unicode_math_text(self.current.formulation))
            if name == "/code":
                return self._output(code_text(self.current.formulation), args)
            if name == "/save":
                if not args:
                    return ChatTurn(TurnKind.ERROR, "/save needs a file name, e.g. /save model.yaml")
                path = Path(args[0])
                if path.suffix.lower() not in (".yaml", ".yml", ".json"):
                    return ChatTurn(TurnKind.ERROR, f"/save: use a .yaml, .yml or .json file (got {path.name}).")
                self.current.formulation.save(path, inputs=self.inputs)
                return ChatTurn(TurnKind.INFO, f"saved the formulation to {path}")
            if name == "/export":
                return self.export(args)
        except (OSError, UserError) as exc:
            return ChatTurn(TurnKind.ERROR, f"{name}: {exc}")
        return ChatTurn(TurnKind.ERROR, f"unknown command {name}; type /help")

    def export(self, args: list[str]) -> ChatTurn:
        """``/export FILE``: the current solution, one table per variable (.csv/.xlsx)."""
        from optimus.commands.outputs import (
            check_output_paths, check_solution_path, write_solution_file,
        )

        if not args:
            return ChatTurn(TurnKind.ERROR, "/export needs a file name, e.g. /export solution.xlsx")
        assert self.current is not None
        ans = self.current.answer
        if not ans.variables:
            return ChatTurn(TurnKind.ERROR, f"/export: no solution to write (status {ans.status}).")
        path = Path(args[0])
        check_solution_path(path, "/export")
        inputs = {p.resolve(): "an attached data file"
                  for p in (self.attachments.paths() if self.attachments else [])}
        check_output_paths({"export": path}, inputs)
        write_solution_file(path, ans.variables, self.current.formulation)
        return ChatTurn(TurnKind.INFO, f"wrote the solution to {path}")

    def _output(self, text: str, args: list[str]) -> ChatTurn:
        if args:
            from optimus.output import write_output

            write_output(Path(args[0]), text, inputs=self.inputs)
            return ChatTurn(TurnKind.INFO, f"wrote {args[0]}")
        return ChatTurn(TurnKind.INFO, text)

    def undo(self) -> ChatTurn:
        """Go back to the previous formulation and its solution."""
        if len(self.history) < 2:
            return ChatTurn(TurnKind.ERROR, "nothing to undo")
        dropped = self.history.pop()
        cur = self.history[-1]
        return ChatTurn(TurnKind.EDITED, f"undid: {dropped.request}", cur.answer,
                        formulation_diff(dropped.formulation, cur.formulation),
                        solution_change(dropped.answer, cur.answer))


def math_text(f: Formulation) -> str:
    """The formulation as Markdown with LaTeX."""
    from optimus.render.latex import to_markdown

    return to_markdown(f)


def inline_data_files(f: Formulation) -> Formulation:
    """``f`` with every parameter read from a data file listed inline instead (a copy;
    a file that cannot be read is left as it is, so the checker reports it)."""
    from optimus.data import canonical_sets, parameter_table, table_store

    if not any(p.data is not None for p in f.parameters) and \
            all(s.elements is not None for s in f.sets):
        return f
    out = f.copy_deep()
    issues: list = []
    store = table_store(out)
    sets = canonical_sets(out, issues, store)
    members = {k: set(v) for k, v in sets.items()}
    for s in out.sets:  # sets read from a table or given as a range: listed
        if s.elements is None and not any(i.symbol == s.name for i in issues):
            s.elements = [list(e) if isinstance(e, tuple) else e for e in sets[s.name]]
            s.data = s.range = None
    for p in out.parameters:
        if p.data is None:
            continue
        table = parameter_table(p, sets, members, store, [], complete=False)
        if isinstance(table, dict):
            records = []
            for key, value in table.items():
                flat: list = []
                for k in key:
                    flat.extend(k if isinstance(k, (list, tuple)) else [k])
                records.append({"index": flat, "value": float(value)})
            p.values = type(p).model_validate({"name": p.name, "index": p.index,
                                               "values": records}).values
            p.data = None
        elif isinstance(table, float) and not p.index:
            p.value, p.data = table, None
    return out


def unicode_math_text(f: Formulation) -> str:
    """The formulation as Unicode math, for a terminal."""
    from optimus.render.unicode_math import to_unicode

    return to_unicode(f)


def code_text(f: Formulation) -> str:
    """A standalone Pyomo script for the formulation."""
    from optimus.render.pyomo_code import to_pyomo_script

    return to_pyomo_script(f)
