"""The command line's help: an example per command, defaults shown, flags as flags, and
the global options -v / -q, --wide."""

from __future__ import annotations

from typing import Any

import pytest
import typer

from cli_runner import invoke
from midcorridor.cli._command import app


def _commands() -> list[list[str]]:
    """Every command's words, sub-commands (``network check``) included."""
    root = typer.main.get_command(app)
    found = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        subs = getattr(command, "commands", None)
        found += [[name, sub] for sub in subs] if subs else [[name]]
    return found


def test_every_command_is_found() -> None:
    words = {" ".join(c) for c in _commands()}
    assert {"run", "compare", "explain", "network check", "network sea-routes"} <= words


@pytest.mark.parametrize("words", _commands(), ids=" ".join)
def test_help_has_an_example_and_flags_read_as_flags(
    words: list[str], capsys: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = invoke([*words, "--help"], capsys, monkeypatch)
    assert code == 0, err
    assert "Example" in out
    command = " ".join(["midcorridor", *words])
    assert any(
        line.strip().startswith(command + " ") or line.strip() == command
        for line in out.splitlines()
    )
    assert "<bool>" not in out


def test_top_help_shows_the_global_options_as_flags(capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = invoke(["--help"], capsys, monkeypatch)
    assert code == 0
    for option in ("--wide", "--verbose", "-v", "--quiet", "-q", "--format", "Example"):
        assert option in out
    assert "<bool>" not in out
    assert "<int>" not in out


def test_sampling_defaults_are_shown(capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    _, out, _ = invoke(["run", "--help"], capsys, monkeypatch)
    assert "the scenario's, else 20,000" in out  # --samples
    assert "the scenario's, else 0" in out  # --seed
    _, out, _ = invoke(["sweep", "--help"], capsys, monkeypatch)
    assert "default: 5000" in out
    # the corridor choice runs its own default, not the scenario's
    _, out, _ = invoke(["choice", "--help"], capsys, monkeypatch)
    assert "5,000 a run" in out
    assert "else 20,000" not in out
    # the CPMM checks of customs run their own default beside the scenario's run
    _, out, _ = invoke(["customs", "--help"], capsys, monkeypatch)
    assert "the scenario's, else 20,000; 4,000 for the CPMM checks" in out


def test_docstrings_reflow_to_the_width(capsys: Any, monkeypatch: Any) -> None:
    """No hard line break of a docstring shows: a paragraph fills the width."""
    monkeypatch.setenv("COLUMNS", "200")
    _, out, _ = invoke(["explain", "--help"], capsys, monkeypatch)
    assert "the share of containers that missed the first one they could have made" in out
