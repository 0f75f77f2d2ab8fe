"""Copies of the real network with one file edited, for tests of bad input."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from midcorridor.network.read import default_network_dir

Edit = Callable[[dict[str, Any]], None]


def edited_copy(tmp_path: Path, file: str, edit: Edit) -> Path:
    """A copy of the real network in ``tmp_path`` with ``file`` (YAML or GeoJSON) edited."""
    folder = tmp_path / "network"
    shutil.copytree(default_network_dir(), folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".yaml":
        data = yaml.safe_load(text)
        edit(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    else:
        data = json.loads(text)
        edit(data)
        path.write_text(json.dumps(data), encoding="utf-8")
    return folder
