"""Output files written whole or not at all, and output paths checked before any work.

The interrupt tests stop a map, a chart and a report while they are written: after some
bytes of a file (the file object's ``write`` writes part of the data, then raises
:class:`KeyboardInterrupt`) or at a call of ``os.fsync``, ``os.chmod``, ``os.replace``
or ``os.rename``. Whatever the point, the target must be the old complete file (or
folder) or the new complete one, and no temporary file or folder may be left.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import folium
import pytest

import midcorridor as mc
from midcorridor import _files
from midcorridor._files import (
    atomic_folder,
    atomic_write,
    check_output_file,
    check_output_folder,
    exclusive,
)
from midcorridor.views.charts import write_chart
from midcorridor.views.distance_charts import time_distance_figure
from midcorridor.views.maps import scenario_map
from midcorridor.views.report import REPORT_FILE, write_report

Runs = list[mc.ScenarioRun]
OLD_MAP = b"<!DOCTYPE html>\n<html><body>an earlier map</body></html>\n"
OLD_REPORT = {REPORT_FILE: b"# An earlier report\n", "old_chart.png": b"\x89PNG earlier chart"}

# --- an interrupt at a chosen point -------------------------------------------------------


@dataclass(frozen=True)
class Cut:
    """Where to interrupt a write.

    Attributes
    ----------
    after_bytes : int or None
        Raise once this many bytes are written (part of the write that crosses it is
        written first), counted in file ``in_file`` only, or over all files.
    in_file : int or None
        Number of the file opened (1 for the first) that ``after_bytes`` counts in.
    call : (str, int) or None
        Raise at this call (1 for the first) of this function of :mod:`os`, instead of
        calling it.
    """

    after_bytes: int | None = None
    in_file: int | None = None
    call: tuple[str, int] | None = None

    def __str__(self) -> str:
        if self.call is not None:
            return f"os.{self.call[0]}#{self.call[1]}"
        where = "" if self.in_file is None else f"file{self.in_file}:"
        return f"{where}{self.after_bytes}B"


class _Budget:
    def __init__(self, left: int) -> None:
        self.left = left


class _CutFile:
    """A file object that raises :class:`KeyboardInterrupt` once its byte budget is spent.

    It has no ``fileno``, so that PIL writes a PNG through ``write`` (with a descriptor
    it writes to the descriptor directly, past any budget).
    """

    def __init__(self, raw: IO[Any], budget: _Budget | None) -> None:
        self._raw = raw
        self._budget = budget

    def write(self, data: Any) -> int:
        budget = self._budget
        if budget is not None:
            size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
            if size > budget.left:
                self._raw.write(data[: budget.left])
                self._raw.flush()
                budget.left = 0
                raise KeyboardInterrupt
            budget.left -= size
        return int(self._raw.write(data))

    def fileno(self) -> int:
        raise io.UnsupportedOperation("fileno")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)

    def __enter__(self) -> _CutFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._raw.close()


def _install(mp: pytest.MonkeyPatch, cut: Cut) -> None:
    """Patch :mod:`os` so that the next write is interrupted at ``cut``."""
    real_fdopen = os.fdopen
    opened = [0]
    shared = _Budget(cut.after_bytes) if cut.after_bytes is not None else None

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        opened[0] += 1
        budget = shared
        if cut.in_file is not None:
            budget = shared if opened[0] == cut.in_file else None
        return _CutFile(real_fdopen(fd, *args, **kwargs), budget)

    mp.setattr(os, "fdopen", fdopen)
    if cut.call is not None:
        name, at = cut.call
        real = getattr(os, name)
        calls = [0]

        def interrupted(*args: Any, **kwargs: Any) -> Any:
            calls[0] += 1
            if calls[0] == at:
                raise KeyboardInterrupt
            return real(*args, **kwargs)

        mp.setattr(os, name, interrupted)


def _run_cut(monkeypatch: pytest.MonkeyPatch, cut: Cut, action: Callable[[], object]) -> bool:
    """Run ``action`` interrupted at ``cut``; True if it was interrupted."""
    with monkeypatch.context() as mp:
        _install(mp, cut)
        try:
            action()
        except KeyboardInterrupt:
            return True
    return False


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name -> bytes), and nothing else."""
    out: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        assert path.is_file(), f"unexpected folder {path}"
        out[path.relative_to(folder).as_posix()] = path.read_bytes()
    return out


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- a map ------------------------------------------------------------------------------

MAP_CUTS = [
    *(Cut(after_bytes=n) for n in (0, 1, 100, 4_096, 65_536, 300_000, 1_000_000)),
    Cut(call=("fsync", 1)),
    Cut(call=("chmod", 1)),
    Cut(call=("replace", 1)),
]


@pytest.fixture(scope="module")
def a_map(runs: Runs, network: mc.Network) -> folium.Map:
    return scenario_map(runs, network)


@pytest.fixture(scope="module")
def map_bytes(a_map: folium.Map, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("reference") / "map.html"
    a_map.save(path)
    return path.read_bytes()


@pytest.mark.parametrize("cut", MAP_CUTS, ids=str)
def test_interrupted_map_save_leaves_the_old_map(
    a_map: folium.Map,
    map_bytes: bytes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cut: Cut,
) -> None:
    assert cut.after_bytes is None or cut.after_bytes < len(map_bytes)
    target = tmp_path / "map.html"
    target.write_bytes(OLD_MAP)
    assert _run_cut(monkeypatch, cut, lambda: a_map.save(str(target)))
    assert target.read_bytes() == OLD_MAP
    assert _names(tmp_path) == ["map.html"]


def test_map_save_interrupted_after_the_rename_leaves_the_new_map(
    a_map: folium.Map, map_bytes: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder's fsync comes after the rename: the new map is in place, whole."""
    target = tmp_path / "map.html"
    target.write_bytes(OLD_MAP)
    assert _run_cut(monkeypatch, Cut(call=("fsync", 2)), lambda: a_map.save(target))
    assert target.read_bytes() == map_bytes
    assert _names(tmp_path) == ["map.html"]


def test_interrupted_first_map_save_leaves_nothing(
    a_map: folium.Map, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "new").mkdir()
    target = tmp_path / "new" / "map.html"
    assert _run_cut(monkeypatch, Cut(after_bytes=50_000), lambda: a_map.save(target))
    assert not target.exists()
    assert _names(target.parent) == []


def test_map_save_replaces_the_old_map(a_map: folium.Map, map_bytes: bytes, tmp_path: Path) -> None:
    target = tmp_path / "map.html"
    target.write_bytes(OLD_MAP)
    a_map.save(target)
    assert target.read_bytes() == map_bytes
    assert _names(tmp_path) == ["map.html"]


# --- a chart ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chart_figure(runs: Runs, network: mc.Network) -> Any:
    return time_distance_figure(runs, network)


@pytest.fixture(scope="module")
def chart_bytes(chart_figure: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("charts")
    return {
        suffix: write_chart(lambda: chart_figure, folder / f"chart{suffix}").read_bytes()
        for suffix in (".png", ".svg")
    }


#: Where a chart write is cut, as a fraction of the chart's size (-1: its last byte).
CHART_FRACTIONS = (0.0, 0.0001, 0.01, 0.25, 0.5, 0.9, -1.0)


@pytest.mark.parametrize("suffix", [".png", ".svg"])
@pytest.mark.parametrize("fraction", CHART_FRACTIONS)
def test_interrupted_chart_write_leaves_the_old_chart(
    chart_figure: Any,
    chart_bytes: dict[str, bytes],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    suffix: str,
    fraction: float,
) -> None:
    size = len(chart_bytes[suffix])
    cut = Cut(after_bytes=size - 1 if fraction < 0 else int(size * fraction))
    target = tmp_path / f"chart{suffix}"
    old = b"an earlier chart, complete"
    target.write_bytes(old)
    assert _run_cut(monkeypatch, cut, lambda: write_chart(lambda: chart_figure, target))
    assert target.read_bytes() == old
    assert _names(tmp_path) == [target.name]


@pytest.mark.parametrize(
    ("cut", "outcome"),
    [
        (Cut(call=("fsync", 1)), "old"),
        (Cut(call=("chmod", 1)), "old"),
        (Cut(call=("replace", 1)), "old"),
        (Cut(call=("fsync", 2)), "new"),
        (Cut(after_bytes=10**9), "new"),  # never reached: written whole
    ],
    ids=str,
)
def test_chart_write_cut_around_the_rename(
    chart_figure: Any,
    chart_bytes: dict[str, bytes],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cut: Cut,
    outcome: str,
) -> None:
    target = tmp_path / "chart.png"
    old = b"an earlier chart, complete"
    target.write_bytes(old)
    interrupted = _run_cut(monkeypatch, cut, lambda: write_chart(lambda: chart_figure, target))
    assert interrupted == (cut.call is not None)
    assert target.read_bytes() == (old if outcome == "old" else chart_bytes[".png"])
    assert _names(tmp_path) == ["chart.png"]


# --- a report folder --------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_files(
    runs: Runs, network: mc.Network, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("reference") / "report"
    write_report(runs[:1], network, folder)
    return _tree(folder)


def _old_report(folder: Path) -> None:
    folder.mkdir()
    for name, data in OLD_REPORT.items():
        (folder / name).write_bytes(data)


def _report_cuts() -> list[tuple[Cut, str]]:
    return [
        (Cut(in_file=1, after_bytes=20_000), "old"),  # the time-distance chart
        (Cut(in_file=2, after_bytes=0), "old"),  # the second chart, at its first byte
        (Cut(in_file=2, after_bytes=30_000), "old"),  # the second chart, part-way
        (Cut(call=("replace", 2)), "old"),  # the second chart, at its rename
        (Cut(call=("rename", 1)), "old"),  # renaming the old report aside
        (Cut(call=("rename", 2)), "old"),  # renaming the new one in: the old is put back
    ]


@pytest.mark.slow
@pytest.mark.parametrize(("cut", "outcome"), _report_cuts(), ids=lambda v: str(v))
def test_interrupted_report_leaves_the_old_report(
    runs: Runs,
    network: mc.Network,
    report_files: dict[str, bytes],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cut: Cut,
    outcome: str,
) -> None:
    folder = tmp_path / "report"
    _old_report(folder)
    assert _run_cut(monkeypatch, cut, lambda: write_report(runs[:1], network, folder))
    assert _tree(folder) == (OLD_REPORT if outcome == "old" else report_files)
    assert _names(tmp_path) == ["report"]


@pytest.mark.slow
def test_interrupted_report_md_leaves_the_old_report(
    runs: Runs,
    network: mc.Network,
    report_files: dict[str, bytes],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``report.md`` is written last, after every chart."""
    folder = tmp_path / "report"
    _old_report(folder)
    cut = Cut(in_file=len(report_files), after_bytes=len(report_files[REPORT_FILE]) // 2)
    assert _run_cut(monkeypatch, cut, lambda: write_report(runs[:1], network, folder))
    assert _tree(folder) == OLD_REPORT
    assert _names(tmp_path) == ["report"]


@pytest.mark.slow
def test_report_replaces_the_old_report_whole(
    runs: Runs, network: mc.Network, report_files: dict[str, bytes], tmp_path: Path
) -> None:
    """No chart of the earlier report is left beside the new one; the bytes repeat."""
    folder = tmp_path / "report"
    _old_report(folder)
    write_report(runs[:1], network, folder)
    assert _tree(folder) == report_files
    assert "old_chart.png" not in report_files
    assert _names(tmp_path) == ["report"]


# --- atomic_write -----------------------------------------------------------------------


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.usefixtures("umask_022")
def test_atomic_write_creates_a_readable_file(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    target = tmp_path / "a" / "out.txt"
    with atomic_write(target) as handle:
        handle.write("line one\nline two é\n")
    assert target.read_bytes() == "line one\nline two é\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert _names(target.parent) == ["out.txt"]


def test_atomic_write_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    target.chmod(0o600)
    with atomic_write(target, binary=True) as handle:
        handle.write(b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_atomic_write_failure_leaves_the_old_file(
    tmp_path: Path, error: type[BaseException]
) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")

    def write_half() -> None:
        with atomic_write(target) as handle:
            handle.write("new, half")
            raise error

    with pytest.raises(error):
        write_half()
    assert target.read_text(encoding="utf-8") == "old"
    assert _names(tmp_path) == ["out.txt"]


def test_atomic_write_follows_a_symbolic_link(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with atomic_write(link) as handle:
        handle.write("new")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new"


# --- atomic_folder ----------------------------------------------------------------------


def _write_folder(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        with atomic_write(folder / name, binary=True) as handle:
            handle.write(data)


@pytest.mark.usefixtures("umask_022")
def test_atomic_folder_creates_a_new_folder(tmp_path: Path) -> None:
    (tmp_path / "deep").mkdir()
    target = tmp_path / "deep" / "out"
    with atomic_folder(target) as work:
        assert work.parent == target.parent
        assert not target.exists()
        _write_folder(work, {"a.txt": b"a"})
    assert _tree(target) == {"a.txt": b"a"}
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
    assert _names(tmp_path / "deep") == ["out"]


def test_atomic_folder_replaces_the_old_folder_whole(tmp_path: Path) -> None:
    target = tmp_path / "out"
    _old_report(target)
    target.chmod(0o750)
    with atomic_folder(target, owned_by=REPORT_FILE) as work:
        _write_folder(work, {REPORT_FILE: b"new"})
        assert _tree(target) == OLD_REPORT  # untouched until the block ends
    assert _tree(target) == {REPORT_FILE: b"new"}
    assert stat.S_IMODE(target.stat().st_mode) == 0o750
    assert _names(tmp_path) == ["out"]


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_atomic_folder_failure_leaves_the_old_folder(
    tmp_path: Path, error: type[BaseException]
) -> None:
    target = tmp_path / "out"
    _old_report(target)

    def write_some() -> None:
        with atomic_folder(target) as work:
            _write_folder(work, {REPORT_FILE: b"new"})
            raise error

    with pytest.raises(error):
        write_some()
    assert _tree(target) == OLD_REPORT
    assert _names(tmp_path) == ["out"]


def test_atomic_folder_interrupted_while_deleting_the_old_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new folder is in place; the old one is still deleted, then the interrupt passes."""
    target = tmp_path / "out"
    _old_report(target)
    real_rmtree = _files.shutil.rmtree
    calls = [0]

    def rmtree(path: Any, *args: Any, **kwargs: Any) -> None:
        calls[0] += 1
        if calls[0] == 1:
            raise KeyboardInterrupt
        real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(_files.shutil, "rmtree", rmtree)
    with pytest.raises(KeyboardInterrupt), atomic_folder(target) as work:
        _write_folder(work, {REPORT_FILE: b"new"})
    assert _tree(target) == {REPORT_FILE: b"new"}
    assert _names(tmp_path) == ["out"]


def test_atomic_folder_refuses_a_folder_of_other_files(tmp_path: Path) -> None:
    target = tmp_path / "notes"
    target.mkdir()
    (target / "mine.txt").write_text("keep me", encoding="utf-8")
    with (
        pytest.raises(mc.MidcorridorError, match=r"holds files and no report\.md"),
        atomic_folder(target, owned_by=REPORT_FILE),
    ):
        pytest.fail("the block must not run")
    assert _tree(target) == {"mine.txt": b"keep me"}
    assert _names(tmp_path) == ["notes"]


def test_report_refuses_a_folder_of_other_files(
    runs: Runs, network: mc.Network, tmp_path: Path
) -> None:
    (tmp_path / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(mc.MidcorridorError, match="Report folder"):
        write_report(runs[:1], network, tmp_path)
    assert _names(tmp_path) == ["mine.txt"]


# --- checks of output paths ---------------------------------------------------------------


def _snapshot(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _read_only(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """``os.access`` says ``folder`` is not writable (tests run as root, where it always is)."""
    real = os.access

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        if Path(path) == folder and mode & os.W_OK:
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


@pytest.fixture
def places(tmp_path: Path) -> Path:
    """A folder with a file ``a_file``, a folder ``a_folder.html`` and a folder ``ro``."""
    (tmp_path / "a_file").write_text("x", encoding="utf-8")
    (tmp_path / "a_folder.html").mkdir()
    (tmp_path / "ro").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    ("relative", "pattern"),
    [
        ("map.txt", r"map\.txt: the file name must end in \.html or \.htm"),
        ("map", r"must end in \.html or \.htm"),
        ("a_folder.html", r"a_folder\.html is a folder, not a regular file"),
        ("a_file/map.html", r"a_file/map\.html is under .*a_file, which is a file"),
        ("a_file/deeper/map.html", r"is under .*a_file, which is a file"),
        ("ro/map.html", r"ro/map\.html: folder .*ro is not writable"),
        ("ro/new/sub/map.html", r"folder .*ro/new/sub does not exist; create it first"),
        ("new/map.html", r"folder .*new does not exist; create it first"),
        ("x" * 300 + "/map.html", r"cannot use .*: File name too long"),
        ("x" * 300 + ".html", r"cannot use .*: File name too long"),
    ],
)
def test_check_output_file_refuses(
    places: Path, monkeypatch: pytest.MonkeyPatch, relative: str, pattern: str
) -> None:
    _read_only(monkeypatch, places / "ro")
    before = _snapshot(places)
    with pytest.raises(mc.MidcorridorError, match=pattern) as caught:
        check_output_file(places / relative, (".html", ".htm"), what="Map file")
    assert str(caught.value).startswith("Map file ")
    assert _snapshot(places) == before


def test_check_output_file_refuses_a_broken_link_on_the_way(tmp_path: Path) -> None:
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(mc.MidcorridorError, match="broken symbolic link"):
        check_output_file(tmp_path / "dangling" / "c.png", (".png",))
    assert _names(tmp_path) == ["dangling"]


def test_check_output_file_accepts_and_creates_nothing(places: Path) -> None:
    before = _snapshot(places)
    check_output_file(places / "chart.PNG", (".png", ".svg"))
    check_output_file(places / "a_file", ())  # an existing file is replaced
    assert _snapshot(places) == before


@pytest.mark.parametrize(
    ("relative", "pattern"),
    [
        ("a_file", r"a_file is a file, not a folder"),
        ("a_file/report", r"is under .*a_file, which is a file"),
        ("ro/report", r"ro/report: folder .*ro is not writable"),
        ("ro/new/report", r"folder .*ro/new does not exist; create it first"),
        ("new/deeper/report", r"folder .*new/deeper does not exist"),
    ],
)
def test_check_output_folder_refuses(
    places: Path, monkeypatch: pytest.MonkeyPatch, relative: str, pattern: str
) -> None:
    _read_only(monkeypatch, places / "ro")
    before = _snapshot(places)
    with pytest.raises(mc.MidcorridorError, match=pattern) as caught:
        check_output_folder(places / relative, what="Report folder")
    assert str(caught.value).startswith("Report folder ")
    assert _snapshot(places) == before


def test_check_output_folder_owned_by(tmp_path: Path) -> None:
    check_output_folder(tmp_path / "new", owned_by=REPORT_FILE)
    check_output_folder(tmp_path, owned_by=REPORT_FILE)  # empty
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    check_output_folder(tmp_path)  # not asked to check
    with pytest.raises(mc.MidcorridorError, match=r"holds files and no report\.md"):
        check_output_folder(tmp_path, owned_by=REPORT_FILE)
    (tmp_path / REPORT_FILE).write_text("# an earlier report", encoding="utf-8")
    check_output_folder(tmp_path, owned_by=REPORT_FILE)
    assert _names(tmp_path) == ["notes.txt", REPORT_FILE]


def test_check_output_folder_refuses_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inner = tmp_path / "report" / "inner"
    inner.mkdir(parents=True)
    monkeypatch.chdir(inner)
    for path in (Path(), inner, tmp_path / "report"):
        with pytest.raises(mc.MidcorridorError, match="current folder"):
            check_output_folder(path)


def test_a_full_disk_is_a_clear_error_and_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from midcorridor._errors import MidcorridorError
    from midcorridor._files import atomic_write

    target = tmp_path / "map.html"
    target.write_text("old")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with (
        pytest.raises(MidcorridorError, match=r"No space left on device.*unchanged"),
        atomic_write(target) as out,
    ):
        out.write("new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


def test_outputs_never_replace_a_device_a_pipe_or_a_socket(tmp_path: Path) -> None:
    import socket

    fifo = tmp_path / "pipe.parquet"
    os.mkfifo(fifo)
    sock_path = tmp_path / "s.parquet"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_path))
    device_link = tmp_path / "null.parquet"
    device_link.symlink_to("/dev/null")
    try:
        for path, kind in ((fifo, "a pipe"), (sock_path, "a socket"), (device_link, "a device")):
            with pytest.raises(mc.MidcorridorError, match=f"is {kind}, not a regular file"):
                check_output_file(path, (".parquet",))
            refused = pytest.raises(mc.MidcorridorError, match=f"{kind} is there; it is not")
            with refused, atomic_write(path, binary=True) as handle:
                handle.write(b"x")
            with pytest.raises(mc.MidcorridorError, match="not replaced"), exclusive(path):
                pass
    finally:
        server.close()
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert stat.S_ISSOCK(os.lstat(sock_path).st_mode)


def test_a_dangling_link_never_creates_its_targets_folders(tmp_path: Path) -> None:
    link = tmp_path / "out.parquet"
    link.symlink_to(tmp_path / "elsewhere" / "deep" / "out.parquet")
    with pytest.raises(mc.MidcorridorError, match=r"symbolic link to .*whose folder does not"):
        check_output_file(link, (".parquet",))
    refused = pytest.raises(mc.MidcorridorError, match="whose folder does not exist")
    with refused, atomic_write(link) as handle:
        handle.write("x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.parquet"]
    (tmp_path / "elsewhere" / "deep").mkdir(parents=True)  # a link into a folder that exists
    check_output_file(link, (".parquet",))
    with atomic_write(link) as handle:
        handle.write("kept")
    assert link.is_symlink()
    assert link.read_text() == "kept"


def test_a_missing_folder_is_refused_not_created(tmp_path: Path) -> None:
    """A typo in a folder name never leaves folders behind: every way of writing refuses."""
    missing = tmp_path / "nonexistent" / "dir"
    refused = pytest.raises(mc.MidcorridorError, match=r"folder .*nonexistent/dir does not exist")
    with refused, atomic_write(missing / "map.html") as handle:
        handle.write("x")
    no_parent = pytest.raises(mc.MidcorridorError, match=r"folder .*nonexistent does not exist")
    with no_parent, atomic_folder(missing):
        pass
    assert _names(tmp_path) == []


def test_default_output_makes_only_its_own_folder(tmp_path: Path) -> None:
    from midcorridor._files import default_output

    path = default_output(tmp_path / "results" / "grid.parquet")
    assert path.parent.is_dir()
    check_output_file(path, (".parquet",))
    with pytest.raises(mc.MidcorridorError, match="does not exist"):
        check_output_file(default_output(tmp_path / "a" / "b" / "c.parquet"), (".parquet",))
    assert _names(tmp_path) == ["results"]
