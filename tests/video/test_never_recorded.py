"""Consults are never recorded: no recorder anywhere in video/ (and tests/video/conftest.py
fails any test that makes one at run time)."""

from __future__ import annotations

import ast
from pathlib import Path

VIDEO = Path(__file__).resolve().parents[2] / "video"
# Writers of media to a file or stream, in aiortc and PyAV.
FORBIDDEN = {"MediaRecorder", "MediaRecorderContext", "av.open", "CodecContext.create"}


def names_used(tree: ast.AST) -> set[str]:
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            base = node.value.id if isinstance(node.value, ast.Name) else ""
            used.update({node.attr, f"{base}.{node.attr}"})
        elif isinstance(node, ast.ImportFrom):
            used.update(alias.name for alias in node.names)
    return used


def test_no_recorder_in_the_video_package() -> None:
    files = sorted(VIDEO.rglob("*.py"))
    assert files
    for path in files:
        used = names_used(ast.parse(path.read_text(encoding="utf-8")))
        found = used & FORBIDDEN | {name for name in used if "Recorder" in name}
        assert not found, f"{path.name} uses {sorted(found)}: consults are never recorded"


def test_the_scan_finds_a_recorder() -> None:
    # The check above must be able to fail.
    snippet = "from aiortc.contrib.media import MediaRecorder\nr = MediaRecorder('x.mp4')\n"
    assert "MediaRecorder" in names_used(ast.parse(snippet))
