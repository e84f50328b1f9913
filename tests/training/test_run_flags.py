"""--strategy / --precision / --jit of a run: recorded in config.json, kept by --resume, refused in
one line where they cannot work (before anything is written)."""
import keras
import pytest

from tfgan_zoo.cli import train as train_cli
from tfgan_zoo.training import build, distribute, runner
from tfgan_zoo.training.distribute import mirrored_strategy

TINY = {"generator.width": 8, "discriminator.width": 8, "training.log_every": 2, "training.sample_every": 2,
        "training.checkpoint_every": 2, "training.num_samples": 16}


def test_the_flags_are_recorded_with_the_strategy_and_its_replica_count(tmp_path):
    plan = runner.plan_run("gan_toy", batch_size=16, out=tmp_path / "a", precision="mixed_bfloat16", jit=True)
    assert {key: plan.config.run[key] for key in ("precision", "jit", "strategy", "replicas")} == {
        "precision": "mixed_bfloat16", "jit": True, "strategy": "default", "replicas": 1}
    plan = runner.plan_run("gan_toy", batch_size=16, out=tmp_path / "b", strategy=mirrored_strategy())
    assert (plan.config.run["strategy"], plan.config.run["replicas"], plan.config.run["precision"]) == (
        "mirrored", 2, "float32")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()  # planning writes nothing


def test_jit_with_several_cpu_replicas_an_uneven_batch_and_an_unknown_precision_are_refused(tmp_path):
    with pytest.raises(runner.RunError, match=r"^--jit compiles the training step for one device, but --strategy "
                       r"mirrored has 2 replicas on CPU, where XLA fails"):
        runner.plan_run("gan_toy", batch_size=16, out=tmp_path / "r", jit=True, strategy=mirrored_strategy())
    with pytest.raises(runner.RunError, match=r"^The global batch 15 does not split over the 2 replicas of "
                       r"--strategy mirrored; expected a multiple of 2"):
        runner.plan_run("gan_toy", batch_size=15, out=tmp_path / "r", strategy=mirrored_strategy())
    with pytest.raises(runner.RunError, match=r"^--precision must be one of float32, mixed_float16, "
                       r"mixed_bfloat16, got 'half'"):
        runner.plan_run("gan_toy", out=tmp_path / "r", precision="half")
    with pytest.raises(runner.RunError, match=r"^--strategy must be one of \['default', 'mirrored', "
                       r"'multi_worker', 'tpu'\], got 'cluster'"):
        runner.train("gan_toy", out=tmp_path / "r", strategy="cluster")
    assert not (tmp_path / "r").exists()


def test_a_resume_keeps_the_precision_and_refuses_another(tmp_path):
    out = tmp_path / "run"
    runner.train("gan_toy", batch_size=16, steps=2, overrides=TINY, out=out, precision="mixed_float16", progress=False)
    with pytest.raises(runner.RunError, match=r"has --precision 'mixed_float16', not 'float32'"):
        runner.plan_run(out=out, resume=True, precision="float32")
    with pytest.raises(runner.RunError, match=r"has --jit False, not True"):
        runner.plan_run(out=out, resume=True, jit=True)
    result = runner.train(out=out, resume=True, steps=4, progress=False)
    assert result.step == 4 and result.gan.run_config.run["precision"] == "mixed_float16"
    assert isinstance(result.gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert "--precision mixed_float16" in " ".join(runner.train_command(result.gan.run_config, out))


def test_the_command_line_offers_the_library_names():
    assert train_cli.STRATEGIES == distribute.STRATEGIES
    assert train_cli.PRECISIONS == build.PRECISIONS
    assert distribute.strategy_name(None) == "default" and not distribute.needs_custom_loop(None)
    assert distribute.is_chief(None) and distribute.task(None) == (None, 0)
