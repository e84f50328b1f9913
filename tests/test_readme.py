"""Every Python block of the README runs as written (a user's first copy and paste must work).

The blocks run in order, each in a fresh interpreter, in one scratch directory (a block may use
what an earlier one wrote, e.g. a run directory), with the README's own (small) step counts.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(), flags=re.DOTALL | re.MULTILINE)


def test_the_readme_has_python_blocks():
    assert len(BLOCKS) >= 4


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("readme")


@pytest.mark.parametrize("index", range(len(BLOCKS)), ids=lambda i: f"block{i + 1}")
def test_python_block_runs_as_written(index, scratch):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run([sys.executable, "-c", BLOCKS[index]], cwd=scratch, env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, f"README block {index + 1} failed:\n{BLOCKS[index]}\n{result.stderr[-3000:]}"
