"""The project's documents point inside the project: no file names the design notes that live
outside the repository, and every path docs/architecture.md names exists."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT_SUFFIXES = {".py", ".md", ".toml", ".txt", ".cfg", ".json", ".yaml", ".yml", ""}


def tracked_text_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return [ROOT / name for name in names if Path(name).suffix in TEXT_SUFFIXES and (ROOT / name).is_file()]


def test_no_file_refers_to_the_outside_design_notes():
    outside = "DESIGN" + ".md"  # spelt in two parts so that this file does not match itself
    offenders = [str(path.relative_to(ROOT)) for path in tracked_text_files()
                 if outside in path.read_text(encoding="utf-8", errors="replace")]
    assert offenders == []


def test_every_path_the_architecture_map_names_exists():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    paths = set(re.findall(r"\b((?:tfgan_zoo|scripts|bench|tests|reports)/[\w/.-]*\w)", text))
    assert len(paths) > 10  # the map names the modules
    missing = sorted(path for path in paths if not (ROOT / path).exists())
    assert missing == []
