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
    from optimus.output import check_output, write_output

    path = Path(path)
    check_output(path)  # a directory, device, FIFO...: refused before the build
    lp = _as_lp(model)
    h = make_highs(lp, names=True)

    def write(tmp: Path) -> None:
        # HiGHS picks the format from the suffix: write to a sibling with the right one
        target = tmp if tmp.suffix.lower() == f".{fmt}" else None
        if target is None:
            fd, name = tempfile.mkstemp(prefix=f".{tmp.stem}.", suffix=f".{fmt}", dir=tmp.parent)
            os.close(fd)
            target = Path(name)
        try:
            with _quiet_stdout():
                status = h.writeModel(str(target))
            if status == highspy.HighsStatus.kError or target.stat().st_size == 0:
                raise UserError(f"HiGHS could not write {path}",
                                fix="Check that the folder is writable.")
            if target != tmp:
                os.replace(target, tmp)
        finally:
            if target != tmp and target.exists():
                target.unlink()

    write_output(path, write)
    return path


def write_lp(model: ModelLike, path: str | Path) -> Path:
    """Write ``model`` (Formulation or LinearProgram) to a CPLEX LP file."""
    return write_model(model, path, "lp")


def write_mps(model: ModelLike, path: str | Path) -> Path:
    """Write ``model`` (Formulation or LinearProgram) to a (free) MPS file."""
    return write_model(model, path, "mps")
