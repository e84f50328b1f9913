"""The command line is quiet and fast: `--help`, `COMMAND --help` and `list` never import
TensorFlow, and the commands that do import it print none of its start-up lines unless
`--verbose` (or the user's TF_CPP_MIN_LOG_LEVEL 0/1) asks. The subprocesses run without
TF_CPP_MIN_LOG_LEVEL, as a user's shell would; one of them imports TensorFlow."""
import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tfgan_zoo import cli, presets

SCRIPT = Path(sys.executable).with_name("tfgan-zoo")
COMMANDS = ["list", "train", "sample", "evaluate", "export", "compare"]


def user_env(**extra):
    env = {key: value for key, value in os.environ.items() if key not in ("TF_CPP_MIN_LOG_LEVEL", "KERAS_BACKEND")}
    return {**env, **extra}


def run_python(code, **env):
    return subprocess.run([sys.executable, "-c", code], env=user_env(**env), capture_output=True, text=True,
                          timeout=300)


def test_help_and_list_do_not_import_tensorflow():
    code = f"""
import json, sys
from tfgan_zoo.cli import main
codes = [main(["--help"]), main(["list"])] + [main([name, "--help"]) for name in {COMMANDS!r}]
print(json.dumps({{"codes": codes, "tensorflow": "tensorflow" in sys.modules, "keras": "keras" in sys.modules}}))
"""
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"codes": [0] * (2 + len(COMMANDS)), "tensorflow": False, "keras": False}
    assert done.stderr == ""
    for name in COMMANDS:  # every command's help was printed
        assert f"usage: tfgan-zoo {name} " in done.stdout


def test_importing_the_package_checks_the_backend_without_importing_keras(tmp_path):
    done = run_python("import sys, tfgan_zoo; print('keras' in sys.modules, 'tensorflow' in sys.modules)")
    assert done.stdout.split() == ["False", "False"], done.stderr
    message = "ImportError: tfgan_zoo needs Keras on the TensorFlow backend, but Keras is configured for 'jax'"
    refused = run_python("import tfgan_zoo", KERAS_BACKEND="jax")
    assert refused.returncode == 1 and refused.stderr.strip().splitlines()[-1].startswith(message)
    (tmp_path / "keras.json").write_text(json.dumps({"backend": "jax"}))
    refused = run_python("import tfgan_zoo", KERAS_HOME=str(tmp_path))
    assert refused.returncode == 1 and refused.stderr.strip().splitlines()[-1].startswith(message)


@pytest.mark.skipif(not SCRIPT.exists(), reason="the tfgan-zoo console script is not installed")
def test_list_from_the_console_script_is_quiet(tmp_path):
    done = subprocess.run([str(SCRIPT), "list"], env=user_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == ""
    assert len(done.stdout.strip().splitlines()) == len(presets.list_presets())


@pytest.mark.skipif(not SCRIPT.exists(), reason="the tfgan-zoo console script is not installed")
def test_a_training_run_prints_no_tensorflow_lines(tmp_path):
    tiny = ["--preset", "gan_toy", "--batch-size", "16", "--steps", "2", "--no-progress", "--set", "generator.width=8",
            "--set", "discriminator.width=8", "--set", "training.num_samples=100"]
    done = subprocess.run([str(SCRIPT), "train", *tiny, "--out", "run"], cwd=tmp_path, env=user_env(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stderr == "", done.stderr  # was: eight lines of C++ logging
    assert "Done: step 2" in done.stdout


def test_log_level_choice(monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    assert not cli._wants_native_logs(verbose=False) and cli._wants_native_logs(verbose=True)
    for level, shown in (("0", True), ("1", True), ("2", False), ("3", False)):
        monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", level)
        assert cli._wants_native_logs(verbose=False) is shown, level


def test_tensorflow_starts_silenced_unless_verbose(monkeypatch):
    silenced = []

    def recording():
        silenced.append(True)
        return contextlib.nullcontext()

    monkeypatch.setattr(cli, "_native_stderr_silenced", recording)
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    cli.start_tensorflow(verbose=True)
    assert silenced == [] and "TF_CPP_MIN_LOG_LEVEL" not in os.environ  # TensorFlow's own default: all logs
    cli.start_tensorflow(verbose=False)
    assert silenced == [True] and os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")  # the user's own choice wins
    cli.start_tensorflow(verbose=False)
    assert silenced == [True] and os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0"
