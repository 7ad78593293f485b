"""The one way optimus writes a file: guarded and atomic.

Every writer (``run --code/--latex/--lp/--mps``, ``solve --code/--latex``, chat's
``/save``, ``/code FILE`` and ``/math FILE``, eval's run folder, :meth:`Formulation.save`,
the Pyomo and LP/MPS exports) calls :func:`write_output`:

* only a regular file or a new path is written; a directory, a FIFO, a device, a socket,
  a symlink to any of them or a dangling symlink is refused (``--code /dev/null`` must
  never replace ``/dev/null``);
* an input of the same command (the model file, its data files, the problem file, the
  file chat reads its lines from, the benchmark file) is never overwritten, whatever path
  names it (symlinks and hard links are followed);
* the data goes to a temporary file in the target's folder, which is renamed over the
  target (``os.replace``) only when the target is still a regular file or absent, so a
  reader never sees half a file; a symlink to a regular file keeps pointing at it;
* every failure is a :class:`~optimus.errors.UserError` (exit 2) naming the path.

Example::

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_output(folder / "a.txt", "hello").read_text()
    'hello'
    >>> write_output("/dev/null", "x")
    Traceback (most recent call last):
    ...
    optimus.errors.UserError: /dev/null is a character device; optimus writes only regular files or new paths.
    Fix: Give the path of a regular file, or of a new file in an existing folder.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Union

from optimus.errors import UserError

#: an input of the command: a path, or an open file descriptor (chat's stdin)
InputRef = Union[str, os.PathLike, int]
Inputs = Union[Iterable[InputRef], Mapping[Any, str]]

__all__ = ["write_output", "check_output", "append_output"]


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISFIFO(mode):
        return "FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def _identity(ref: InputRef) -> tuple[int, int] | None:
    """``(device, inode)`` of an input (None when it does not exist)."""
    try:
        st = os.fstat(ref) if isinstance(ref, int) else os.stat(ref)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _inputs(inputs: Inputs | None) -> list[tuple[InputRef, str]]:
    if not inputs:
        return []
    if isinstance(inputs, Mapping):
        return [(k, str(v)) for k, v in inputs.items()]
    return [(ref, "an input of this command") for ref in inputs]


def check_output(path: str | os.PathLike, *, inputs: Inputs | None = None,
                 label: str | None = None) -> Path:
    """Validate an output path before any work; return the file to write (the target of
    a symlink to a regular file, else ``path``). Raises :class:`UserError`.

    ``inputs``: the command's inputs (paths or file descriptors), or a mapping of them to
    a description such as ``"the model file"``. ``label`` names the path in messages
    (e.g. ``"--code out.py"``)."""
    p = Path(path).expanduser()
    name = label or str(path)
    try:
        st: os.stat_result | None = os.stat(p)  # follows symlinks
    except FileNotFoundError:
        st = None
    except OSError as exc:  # a symlink loop, a path through a file, permissions
        raise UserError(f"cannot write {name}: {exc.strerror or exc}.",
                        fix="Give the path of a regular file, or of a new file in an "
                            "existing folder.") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise UserError(f"{name} is a {_kind(st.st_mode)}; optimus writes only regular files "
                        f"or new paths.",
                        fix="Give the path of a regular file, or of a new file in an existing "
                            "folder.")
    if st is None and p.is_symlink():
        raise UserError(f"{name} is a symlink to a missing file; optimus does not create "
                        f"files through dangling links.",
                        fix="Remove the link or give another path.")
    target = p.resolve() if p.is_symlink() else p
    folder = target.parent
    if not folder.is_dir():
        raise UserError(f"cannot write {name}: the folder {folder} does not exist.",
                        fix="Create the folder first or choose another path.")
    if st is not None:
        mine = (st.st_dev, st.st_ino)
        for ref, what in _inputs(inputs):
            if _identity(ref) == mine:
                raise UserError(f"{name} is {what}; writing it would destroy an input of "
                                f"this command.", fix="Choose another output path.")
    else:
        resolved = target.resolve()
        for ref, what in _inputs(inputs):
            if not isinstance(ref, int) and Path(ref).expanduser().resolve() == resolved:
                raise UserError(f"{name} is {what}; writing it would destroy an input of "
                                f"this command.", fix="Choose another output path.")
    return target


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_output(path: str | os.PathLike, data: str | bytes | Callable[[Path], Any], *,
                 inputs: Inputs | None = None, label: str | None = None) -> Path:
    """Write ``data`` (text as UTF-8, bytes, or ``data(tmp_path)`` writing a file) to
    ``path`` atomically, after :func:`check_output`; returns the path written."""
    name = label or str(path)
    target = check_output(path, inputs=inputs, label=label)
    try:
        existing = os.stat(target)
        mode = stat.S_IMODE(existing.st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    except OSError as exc:
        raise UserError(f"cannot write {name}: {exc.strerror or exc}.",
                        fix="Check the path and its permissions.") from None
    tmp: Path | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix or ".tmp",
                                        dir=str(target.parent))
        tmp = Path(tmp_name)
        if callable(data):
            os.close(fd)
            data(tmp)
        else:
            payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        # the target may have changed since the check: replace only a regular file
        try:
            now = os.lstat(target)
            if not stat.S_ISREG(now.st_mode):
                raise UserError(f"{name} became a {_kind(now.st_mode)} while optimus was "
                                f"writing; nothing was replaced.", fix="Give another path.")
        except FileNotFoundError:
            pass
        os.replace(tmp, target)
        tmp = None
    except UnicodeEncodeError:
        raise UserError(f"cannot write {name}: the text holds a character that is not valid "
                        f"Unicode (a lone surrogate).",
                        fix="Remove the invalid characters from the input.") from None
    except OSError as exc:
        raise UserError(f"cannot write {name}: {exc.strerror or exc}.",
                        fix="Check the path and its permissions.") from None
    finally:
        if tmp is not None:
            try:
                tmp.unlink()
            except OSError:
                pass
    return target


def append_output(path: str | os.PathLike, data: bytes, *, inputs: Inputs | None = None) -> None:
    """Append ``data`` to a log file (eval's ``results.jsonl``), flushed and fsynced;
    the same refusals as :func:`write_output` (appending is not atomic by nature; each
    call writes whole lines)."""
    target = check_output(path, inputs=inputs)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0),
                     0o666)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise UserError(f"{path} is not a regular file; nothing was written.",
                                fix="Give another path.")
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}.",
                        fix="Check the path and its permissions.") from None
