"""Output files and stdout hygiene shared by the commands (``run``, ``solve``).

* :func:`check_output_paths` validates ``--code/--latex/--lp/--mps`` paths before any
  work: never overwrite an input, never two outputs to one file, the folder must exist;
* :func:`atomic_write` / :func:`write_text` write through :func:`optimus.output.write_output`
  (guarded, atomic), turning any OS error into a :class:`~optimus.errors.UserError`;
* :func:`stdout_silenced` keeps stdout clean for ``--json``.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

from optimus.errors import UserError
from optimus.output import check_output, write_output


def check_output_paths(wanted: dict[str, Path | None],
                       inputs: dict[Path, str] | None = None) -> dict[str, Path]:
    """The requested outputs (``{option name: path}``, None = not requested), validated.

    ``inputs`` maps input paths to a description ("the model file"); writing one of them
    is refused, and so is a path that is a directory, a FIFO, a device or a symlink to one
    (:func:`optimus.output.check_output`). Raises :class:`UserError` with the option named.
    """
    inputs = inputs or {}
    planned: dict[str, Path] = {}
    seen: dict[Path, str] = {}
    for kind, raw in wanted.items():
        if raw is None:
            continue
        path = Path(raw).expanduser()
        target = check_output(path, inputs=inputs, label=f"--{kind} {raw}").resolve()
        if target in seen:
            raise UserError(f"--{kind} and --{seen[target]} both write {raw}.",
                            fix="Give each output its own file.")
        seen[target] = kind
        planned[kind] = path
    return planned


def atomic_write(path: Path, write: Callable[[Path], Any], *,
                 inputs: dict[Path, str] | None = None) -> None:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it over
    ``path`` (:func:`optimus.output.write_output`); errors become a UserError."""
    write_output(path, write, inputs=inputs)


def check_solution_path(path: Path | None, option: str = "--solution") -> None:
    """A ``--solution`` file must be ``.csv`` or ``.xlsx``."""
    from optimus.solution_tables import SOLUTION_FORMATS

    if path is not None and Path(path).suffix.lower() not in SOLUTION_FORMATS:
        raise UserError(f"{option} {path}: use a .csv or .xlsx file.",
                        fix=f"For example {option} solution.xlsx.")


def write_solution_file(path: Path, variables: object, formulation: object = None) -> None:
    """Write a solution (one table per variable) to ``path`` atomically."""
    from optimus.solution_tables import solution_frames, write_solution

    frames = solution_frames(variables, formulation)  # type: ignore[arg-type]
    atomic_write(Path(path), lambda tmp: write_solution(tmp, frames))  # tmp keeps the suffix


def write_text(path: Path, text: str, *, inputs: dict[Path, str] | None = None) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; see :func:`atomic_write`."""
    write_output(path, text, inputs=inputs)


@contextlib.contextmanager
def stdout_silenced(active: bool) -> Iterator[None]:
    """With ``--json``, send anything printed during the work (by us, a solver or its C
    library) to stderr so that stdout holds only the JSON object."""
    if not active:
        yield
        return
    sys.stdout.flush()
    saved = None
    try:
        saved = os.dup(1)
        os.dup2(2, 1)
    except OSError:
        saved = None
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        try:
            sys.stderr.flush()
        except Exception:  # noqa: BLE001
            pass
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)
