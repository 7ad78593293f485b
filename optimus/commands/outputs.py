"""Output files and stdout hygiene shared by the commands (``run``, ``solve``).

* :func:`check_output_paths` validates ``--code/--latex/--lp/--mps`` paths before any
  work: never overwrite an input, never two outputs to one file, the folder must exist;
* :func:`atomic_write` writes a file through a temporary file renamed over the target,
  turning any OS error into a :class:`~optimus.errors.UserError`;
* :func:`stdout_silenced` keeps stdout clean for ``--json``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator

from optimus.errors import UserError


def check_output_paths(wanted: dict[str, Path | None],
                       inputs: dict[Path, str] | None = None) -> dict[str, Path]:
    """The requested outputs (``{option name: path}``, None = not requested), validated.

    ``inputs`` maps resolved input paths to a description ("the model file"); writing
    one of them is refused. Raises :class:`UserError` with the option named.
    """
    inputs = inputs or {}
    planned: dict[str, Path] = {}
    seen: dict[Path, str] = {}
    for kind, raw in wanted.items():
        if raw is None:
            continue
        path = Path(raw).expanduser()
        resolved = path.resolve()
        if resolved in inputs:
            raise UserError(f"--{kind} {raw} is {inputs[resolved]}; writing it would destroy "
                            f"your input.", fix=f"Choose another path for --{kind}.")
        if resolved in seen:
            raise UserError(f"--{kind} and --{seen[resolved]} both write {raw}.",
                            fix="Give each output its own file.")
        if path.is_dir():
            raise UserError(f"--{kind} {raw} is a directory.", fix="Give a file path.")
        if not path.parent.exists():
            raise UserError(f"--{kind} {raw}: directory {path.parent} does not exist.",
                            fix="Create the directory first or choose another path.")
        seen[resolved] = kind
        planned[kind] = path
    return planned


def atomic_write(path: Path, write: Callable[[Path], Any]) -> None:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it over
    ``path``. Any OS error (unwritable folder, disk full, ...) becomes a UserError."""
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix or ".tmp",
                                    dir=str(path.parent))
        os.close(fd)
        tmp = Path(name)
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; use the usual mode
        os.replace(tmp, path)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}",
                        fix="Check the path and its permissions.") from None
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()


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


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; see :func:`atomic_write`."""
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


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
