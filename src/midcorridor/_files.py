"""Writing output files whole or not at all, and checking output paths before any work.

Every file midcorridor writes (maps, charts, reports) goes through this module:

- :func:`atomic_write` writes a file into a temporary file beside it and moves it onto
  the target only once it is complete, so an interrupt (Ctrl-C, a full disk, an
  exception) leaves the old file as it was, never an empty or truncated one;
- :func:`atomic_folder` does the same for a folder of files (a report): the old folder is
  replaced by the complete new one, or left as it was;
- :func:`check_output_file` and :func:`check_output_folder` refuse a path that cannot be
  written (wrong suffix, a folder in place of a file, a path under a file, a folder that
  does not exist or is not writable) before any simulation runs, with a message naming
  the path; a missing folder is never created (:func:`default_output` makes the folder of
  a path the program chose).

Temporary files and folders are hidden (``.name.XXXXXXXX.tmp``) and removed on failure;
only a process killed outright (``SIGKILL``, power loss) can leave one behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from ._errors import MidcorridorError

#: File names an HTML page (a map) may have.
HTML_SUFFIXES = (".html", ".htm")

__all__ = [
    "atomic_folder",
    "atomic_write",
    "check_output_file",
    "check_output_folder",
    "default_output",
    "exclusive",
]

#: Permissions of a new file and of a new folder, before the umask.
_FILE_MODE = 0o644
_FOLDER_MODE = 0o777
#: Characters of the target's name kept in a temporary name (the rest is dropped, so
#: that a name close to the file system's limit still leaves room for the suffixes).
_NAME_KEPT = 100


def _umask() -> int:
    """The process's umask (from ``/proc`` on Linux, else by setting and restoring it)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _follow(path: Path) -> Path:
    """``path``, or the file or folder it links to if it is a symbolic link."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _temp_prefix(target: Path) -> str:
    return f".{target.name[:_NAME_KEPT]}."


def _fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename) to disk where the OS allows it; best effort."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_write(path: Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """Write a file whole or not at all.

    Yields a file object open on a temporary file in the folder of ``path``; when the
    ``with`` block ends without an exception the file is flushed, synced to disk and
    moved onto ``path`` in one step (:func:`os.replace`). On any exception, including
    :class:`KeyboardInterrupt`, the temporary file is removed and ``path`` is left as it
    was.

    Parameters
    ----------
    path
        The file to write, in a folder that exists (a missing one is refused, not
        created). A symbolic link is followed: the file it points to is replaced, the link kept.
    binary
        Open the file for bytes; else for text, UTF-8, with ``\\n`` line ends.

    Yields
    ------
    IO
        The open temporary file; write to it, do not close it.

    Notes
    -----
    The new file keeps the permissions of the file it replaces; a new file gets
    ``0o644`` less the umask (not the ``0o600`` of :func:`tempfile.mkstemp`).
    """
    target, mode = _prepare(Path(path), folder=False)
    folder = target.parent
    temp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=_temp_prefix(target), suffix=".tmp")
        temp = Path(name)
        handle = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        with handle:
            yield handle
            handle.flush()
            os.fsync(fd)  # the descriptor handle owns, still open
        os.chmod(temp, mode)
        os.replace(temp, target)
        temp = None
    except BaseException as exc:
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink()
        if isinstance(exc, OSError):  # a full disk, a lost permission: not a bug
            raise _write_error(path, exc, "file") from exc
        raise
    _fsync_folder(folder)


@contextlib.contextmanager
def atomic_folder(path: Path, *, owned_by: str | None = None) -> Iterator[Path]:
    """Write a folder of files whole or not at all.

    Yields a new, empty temporary folder beside ``path`` (in the same parent folder).
    When the ``with`` block ends without an exception the temporary folder takes the
    place of ``path``: an existing folder is renamed aside, the new one renamed in, the
    old one deleted; if renaming the new one in fails, the old one is put back. On any
    exception, including :class:`KeyboardInterrupt`, the temporary folder is removed
    and ``path`` is left as it was.

    Parameters
    ----------
    path
        The folder to write; it is created if missing, but its parent folder must
        exist. A symbolic link is followed: the folder it points to is replaced, the link kept.
    owned_by
        Name of a file that the folder holds when this program wrote it (such as
        ``"report.md"``). If given, an existing folder that is not empty and does not
        hold that file is refused: everything in it would be deleted.

    Yields
    ------
    Path
        The temporary folder to write the files into.

    Raises
    ------
    MidcorridorError
        If ``path`` cannot be written or may not be replaced (see
        :func:`check_output_folder`), before anything is created.

    Notes
    -----
    The new folder keeps the permissions of the folder it replaces; a new folder gets
    ``0o777`` less the umask (not the ``0o700`` of :func:`tempfile.mkdtemp`).

    The swap is two renames, not one: a process killed between them leaves ``path``
    missing and the old folder beside it as ``.<name>.<hex>.old``. An exception or
    interrupt between them puts the old folder back.
    """
    check_output_folder(Path(path), owned_by=owned_by)
    target, mode = _prepare(Path(path), folder=True)
    parent = target.parent
    temp: Path | None = None
    try:
        temp = Path(tempfile.mkdtemp(dir=parent, prefix=_temp_prefix(target), suffix=".tmp"))
        os.chmod(temp, mode)
        yield temp
        _swap_in(temp, target)
        temp = None
    except BaseException as exc:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _write_error(path, exc, "folder") from exc
        raise
    _fsync_folder(parent)


def _prepare(path: Path, *, folder: bool) -> tuple[Path, int]:
    """The real target of ``path`` (a link followed), in a folder that exists, and the
    permissions the new file or folder takes: those of what it replaces, else the default
    (:data:`_FILE_MODE` or :data:`_FOLDER_MODE`) less the umask.

    Raises
    ------
    MidcorridorError
        When the folder of ``path`` (or of the target it links to) does not exist, or what
        is there is not a regular file (``folder`` false) or a folder (``folder`` true).
    """
    target = _follow(path)
    if target != path and not target.parent.is_dir():
        raise MidcorridorError(
            f"{path}: a symbolic link to {target}, whose folder does not exist: nothing created."
        )
    if not target.parent.is_dir():
        raise MidcorridorError(
            f"{path}: folder {target.parent} does not exist; create it first (nothing was created)."
        )
    try:
        found = os.stat(target)
    except FileNotFoundError:
        return target, (_FOLDER_MODE if folder else _FILE_MODE) & ~_umask()
    if not (stat.S_ISDIR if folder else stat.S_ISREG)(found.st_mode):
        raise MidcorridorError(f"{path}: {_kind(found)} is there; it is not replaced.")
    return target, found.st_mode & 0o777


def _kind(found: os.stat_result) -> str:
    """What a path that is not a regular file or folder is, in words."""
    mode = found.st_mode
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISREG, "a file"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISFIFO, "a pipe"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "something other than a file"


def default_output(path: Path) -> Path:
    """``path``, a default output of the command line (``results/NAME.parquet``,
    ``reports/report``), with its folder made if missing: the program chose it, so it may
    create that one folder; a path the user names must be in a folder that exists."""
    with contextlib.suppress(OSError):  # a file there, no permission: the checks say so
        Path(path).parent.mkdir(exist_ok=True)
    return Path(path)


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold ``path`` for this process while the block writes it: a second run that targets
    it meanwhile is refused instead of silently replacing the first one's work.

    The hold is a lock file beside ``path`` (``.<name>.lock``, made with ``O_EXCL``) that
    names this process; a lock left by a process that is gone is taken over.

    Raises
    ------
    MidcorridorError
        When another running process holds ``path``.
    """
    target, _ = _prepare(Path(path), folder=False)
    lock = target.parent / f".{target.name}.lock"
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            holder = _lock_holder(lock)
            if holder is not None:
                raise MidcorridorError(
                    f"{path}: another run (process {holder}) is writing it: wait for it to "
                    "finish, or write elsewhere (--out)."
                ) from None
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()  # left by a process that is gone
            continue
        with os.fdopen(fd, "w") as handle:
            handle.write(str(os.getpid()))
        break
    else:
        raise MidcorridorError(f"{path}: could not take its lock file {lock}.")
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()


def _lock_holder(lock: Path) -> int | None:
    """The running process a lock file names, or None (gone, or not a lock we wrote)."""
    try:
        pid = int(lock.read_text(encoding="ascii").strip())
        os.kill(pid, 0)
    except PermissionError:  # alive, another user's
        return pid
    except (OSError, ValueError):
        return None
    return pid


def _write_error(path: Path, exc: OSError, what: str) -> MidcorridorError:
    """A failed write as a user-facing error: what failed, why, and that nothing changed."""
    reason = exc.strerror or str(exc)
    return MidcorridorError(
        f"Could not write {path}: {reason}. The {what} there, if any, is unchanged."
    )


def _swap_in(new: Path, target: Path) -> None:
    """Rename ``new`` to ``target``, replacing the folder there (see :func:`atomic_folder`)."""
    if not os.path.lexists(target):
        os.rename(new, target)
        return
    aside = target.parent / f"{_temp_prefix(target)}{uuid.uuid4().hex[:12]}.old"
    os.rename(target, aside)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(aside, target)
        raise
    try:
        shutil.rmtree(aside, ignore_errors=True)
    except BaseException:  # interrupted while deleting: finish, then pass the interrupt on
        shutil.rmtree(aside, ignore_errors=True)
        raise


def _stat(path: Path, what: str, shown: Path) -> os.stat_result | None:
    """``os.stat(path)``, or None if there is nothing there.

    Any other failure (a name too long, a loop of links, no permission to look) is a
    :class:`MidcorridorError` naming ``shown`` (the path the user gave) and the reason.
    """
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise MidcorridorError(f"{what} {shown}: cannot use {path}: {reason}.") from exc


def _is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


def _check_link(path: Path, what: str) -> None:
    """Refuse a symbolic link whose target's folder does not exist: following it would
    create folders elsewhere than where the user looked."""
    if _is_link(path):
        target = _follow(path)
        if not target.parent.is_dir():
            raise MidcorridorError(
                f"{what} {path} is a symbolic link to {target}, whose folder does not exist."
            )


def _check_place(path: Path, what: str) -> None:
    """Refuse ``path`` if its folder does not exist, is under a file, or is read-only.

    A missing folder is refused, not created: a typo (``/nonexistent/dir/map.html``)
    would otherwise leave folders where nobody looks. Creates nothing.
    """
    absolute = Path(os.path.abspath(path))
    _stat(absolute, what, path)  # a name too long, a loop of links
    folder = absolute.parent
    ancestor = folder
    found = _stat(ancestor, what, path)
    while found is None:
        if _is_link(ancestor):
            raise MidcorridorError(f"{what} {path}: folder {ancestor} is a broken symbolic link.")
        if ancestor.parent == ancestor:  # a root that does not exist (a missing drive)
            break
        ancestor = ancestor.parent
        found = _stat(ancestor, what, path)
    if found is not None and not stat.S_ISDIR(found.st_mode):
        raise MidcorridorError(f"{what} {path} is under {ancestor}, which is a file, not a folder.")
    if ancestor != folder or found is None:
        raise MidcorridorError(
            f"{what} {path}: folder {folder} does not exist; create it first (nothing was created)."
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise MidcorridorError(f"{what} {path}: folder {folder} is not writable.")


def check_output_file(path: Path, suffixes: Sequence[str], *, what: str = "Output file") -> None:
    """Refuse a file path that cannot be written, before any work is done.

    Creates nothing.

    Parameters
    ----------
    path
        The file to be written.
    suffixes
        Allowed suffixes, such as ``(".png", ".svg")``, compared case-insensitively;
        empty for any.
    what
        How the message names the file, such as ``"Chart file"``.

    Raises
    ------
    MidcorridorError
        If the suffix is not one of ``suffixes``, ``path`` is an existing folder, a
        parent of ``path`` is an existing file, or the folder of ``path`` does not exist
        or is not writable.
    """
    path = Path(path)
    allowed = {suffix.lower() for suffix in suffixes}
    if allowed and path.suffix.lower() not in allowed:
        raise MidcorridorError(f"{what} {path}: the file name must end in {' or '.join(suffixes)}.")
    found = _stat(path, what, path)
    if found is not None and not stat.S_ISREG(found.st_mode):
        raise MidcorridorError(
            f"{what} {path} is {_kind(found)}, not a regular file; it would not be replaced."
        )
    _check_link(path, what)
    _check_place(_follow(path), what)


def check_output_folder(
    path: Path, *, owned_by: str | None = None, what: str = "Output folder"
) -> None:
    """Refuse a folder path that cannot be written, before any work is done.

    Creates nothing.

    Parameters
    ----------
    path
        The folder to be written (replaced whole if it exists; see
        :func:`atomic_folder`).
    owned_by
        Name of a file the folder holds when this program wrote it, such as
        ``"report.md"``; if given, an existing folder that is neither empty nor holds
        that file is refused, since replacing it would delete what is in it.
    what
        How the message names the folder, such as ``"Report folder"``.

    Raises
    ------
    MidcorridorError
        If ``path`` is an existing file, a parent of ``path`` is an existing file, the
        parent folder of ``path`` does not exist or is not writable, ``path`` is or holds
        the current folder, or (with ``owned_by``) it
        is a folder of other files.
    """
    path = Path(path)
    found = _stat(path, what, path)
    if found is not None and not stat.S_ISDIR(found.st_mode):
        raise MidcorridorError(f"{what} {path} is {_kind(found)}, not a folder.")
    _check_link(path, what)
    _check_place(_follow(path), what)
    if found is None:
        return
    here = Path.cwd().resolve()
    resolved = path.resolve()
    if here == resolved or resolved in here.parents:
        raise MidcorridorError(
            f"{what} {path} is or holds the current folder; it would be replaced whole."
            " Choose another folder."
        )
    if owned_by is not None and not (path / owned_by).is_file() and any(path.iterdir()):
        raise MidcorridorError(
            f"{what} {path} already holds files and no {owned_by}; it would be replaced"
            " whole, deleting them. Choose a new or empty folder."
        )
