"""Export a formulation (or a built linear program) to LP and MPS files with HiGHS.

The files are written by highspy's ``writeModel``; column and row names are made
LP/MPS-safe by :func:`optimus.solvers.highs.export_names` (``x[A,1]`` -> ``x(A,1)``).
Nothing is printed on stdout (HiGHS' own messages are silenced), so ``--json`` output
stays clean.

Example::

    >>> from optimus.formulation import Formulation
    >>> f = Formulation.model_validate({
    ...     "variables": [{"name": "x"}],
    ...     "constraints": [{"name": "cap", "expression": "x <= 4"}],
    ...     "objective": {"sense": "maximize", "expression": "3*x"}})
    >>> import tempfile, pathlib
    >>> out = write_lp(f, pathlib.Path(tempfile.mkdtemp()) / "model.lp")
    >>> out.suffix
    '.lp'
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Iterator, Union

from optimus.build import LinearProgram, build
from optimus.errors import UserError
from optimus.formulation import Formulation

__all__ = ["write_lp", "write_mps", "write_model"]

ModelLike = Union[Formulation, LinearProgram]


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Point file descriptor 1 at /dev/null (HiGHS writes from C++, not through sys.stdout)."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _as_lp(model: ModelLike) -> LinearProgram:
    if isinstance(model, LinearProgram):
        return model
    if isinstance(model, Formulation):
        return build(model)  # raises FormulationError with every issue
    raise TypeError(f"expected a Formulation or LinearProgram, got {type(model).__name__}")


def write_model(model: ModelLike, path: str | Path, fmt: str) -> Path:
    """Write ``model`` as ``fmt`` ("lp" or "mps") to ``path``; returns the path.

    A Formulation is built first (raising :class:`~optimus.errors.FormulationError` when
    invalid). Raises :class:`UserError` when the file cannot be written.
    """
    import highspy

    from optimus.solvers.highs import make_highs

    fmt = fmt.lower()
    if fmt not in ("lp", "mps"):  # any file name works; the content follows ``fmt``
        raise UserError(f"unknown export format {fmt!r}", fix="Use lp or mps.")
    path = Path(path)
    if path.is_dir():
        raise UserError(f"cannot write {path}: it is a directory", fix="Give a file path.")
    if not path.parent.exists():
        raise UserError(f"cannot write {path}: folder {path.parent} does not exist",
                        fix="Create the folder first or choose another path.")
    lp = _as_lp(model)
    h = make_highs(lp, names=True)
    # HiGHS picks the format from the suffix: write to a sibling with the right one
    target = path if path.suffix.lower() == f".{fmt}" else None
    if target is None:
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".{fmt}", dir=path.parent)
        os.close(fd)
        target = Path(name)
    try:
        with _quiet_stdout():
            status = h.writeModel(str(target))
        if status == highspy.HighsStatus.kError or target.stat().st_size == 0:
            raise UserError(f"HiGHS could not write {path}", fix="Check that the folder is writable.")
        if target != path:
            os.replace(target, path)
    finally:
        if target != path and target.exists():
            target.unlink()
    return path


def write_lp(model: ModelLike, path: str | Path) -> Path:
    """Write ``model`` (Formulation or LinearProgram) to a CPLEX LP file."""
    return write_model(model, path, "lp")


def write_mps(model: ModelLike, path: str | Path) -> Path:
    """Write ``model`` (Formulation or LinearProgram) to a (free) MPS file."""
    return write_model(model, path, "mps")
