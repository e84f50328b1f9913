"""A MirroredStrategy that can be created more than once in a process.

    strategy = mirrored_strategy()            # instead of tf.distribute.MirroredStrategy()
    with strategy.scope():
        gan = GAN(...); gan.compile(...)
    gan.fit(dataset)

Why: every `tf.distribute.MirroredStrategy` numbers its all-reduce collectives from the same
start (group key 1, instance keys 100, 101, ...), while the TensorFlow runtime remembers, per
process, the shape each (group, instance) key was first run with. The first strategy works; a
second one over the same devices -- the next model in a loop, a new notebook cell, the next
test -- reuses those keys for tensors of other shapes and every step fails with "Collective ops
is aborted by: Shape mismatch in the collective instance 100 ... expected shape [A] but another
member in the group expected shape [B]" (B being a size from the earlier model; TensorFlow
issue #62790). A GAN step all-reduces the discriminator and generator gradients as one packed
tensor each, so a GAN of another size always collides.

`mirrored_strategy` gives each strategy its own range of collective keys, as TensorFlow's own
tests do (`strategy_combinations`, through the class attribute `_collective_key_base`), and
keeps the default all-reduce (ring on CPUs, NCCL on GPUs). Should a later TensorFlow drop that
attribute, it falls back to `tf.distribute.ReductionToOneDevice`, which uses no collectives.
"""
from __future__ import annotations

import threading
from typing import Optional, Sequence

import tensorflow as tf

# Room for far more collective groups than one strategy uses (TensorFlow's tests use the same).
_KEY_RANGE = 100_000
_lock = threading.Lock()


def mirrored_strategy(devices: Optional[Sequence[str]] = None) -> tf.distribute.MirroredStrategy:
    """`tf.distribute.MirroredStrategy(devices)` with collective keys no other strategy uses."""
    cls = tf.distribute.MirroredStrategy
    if not hasattr(cls, "_collective_key_base"):
        return cls(devices, cross_device_ops=tf.distribute.ReductionToOneDevice())
    with _lock:
        base = cls._collective_key_base + _KEY_RANGE
        cls._collective_key_base = base
        strategy = cls(devices)  # reads the base when it is built
        # Leave an unused range for a plain MirroredStrategy created next.
        cls._collective_key_base = base + _KEY_RANGE
    return strategy


# --- strategies by name (`tfgan-zoo train --strategy`) ----------------------------------------

STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")
# A lost peer is detected within about COLLECTIVE_TIMEOUT_S (a collective waiting for it gives up) or
# HEALTH_CHECK_INTERVAL_S + retries x HEALTH_CHECK_TIMEOUT_S (the strategy's peer health check).
COLLECTIVE_TIMEOUT_S = 120.0
HEALTH_CHECK_INTERVAL_S = 5
HEALTH_CHECK_TIMEOUT_S = 5
HEALTH_CHECK_RETRIES = 2


def multi_worker_strategy(timeout_seconds: float = COLLECTIVE_TIMEOUT_S,
                          health_check_interval: int = HEALTH_CHECK_INTERVAL_S
                          ) -> tf.distribute.MultiWorkerMirroredStrategy:
    """`MultiWorkerMirroredStrategy` over the cluster in TF_CONFIG, with bounded failure detection.

    Every collective gives up after `timeout_seconds` (CommunicationOptions.timeout_seconds), and
    the strategy's peer health check runs every `health_check_interval` s instead of 30 s (its
    timeout and retries are shortened too), so when a worker dies the others' collectives are
    aborted with UnavailableError within seconds instead of hanging. Must be created before any
    other TensorFlow op runs in the process ("Collective ops must be configured at program startup").
    """
    options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=float(timeout_seconds))
    strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    # Private knobs of the health-check thread (read on every round); absent in another TF, the
    # collective timeout alone still bounds the wait.
    extended = strategy.extended
    for name, value in (("_check_health_interval", health_check_interval),
                        ("_check_health_timeout", HEALTH_CHECK_TIMEOUT_S),
                        ("_check_health_retry_limit", HEALTH_CHECK_RETRIES)):
        if hasattr(extended, name):
            setattr(extended, name, value)
    return strategy


def tpu_strategy(tpu: str = "") -> tf.distribute.TPUStrategy:
    """`TPUStrategy` on the TPU named by `tpu` ("" = the one attached to this VM / Colab runtime).

    Untested here (no TPU): it follows TensorFlow's documented set-up (resolve, connect, initialise
    the TPU system, then the strategy)."""
    resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu)
    tf.config.experimental_connect_to_cluster(resolver)
    tf.tpu.experimental.initialize_tpu_system(resolver)
    return tf.distribute.TPUStrategy(resolver)


def make_strategy(name: str) -> Optional[tf.distribute.Strategy]:
    """The strategy `tfgan-zoo train --strategy NAME` trains under (None for "default": one device)."""
    if name not in STRATEGIES:
        raise ValueError(f"strategy must be one of {list(STRATEGIES)}, got {name!r}.")
    if name == "default":
        return None
    if name == "mirrored":
        return mirrored_strategy()
    if name == "multi_worker":
        return multi_worker_strategy()
    return tpu_strategy()


def strategy_name(strategy: Optional[tf.distribute.Strategy]) -> str:
    """The STRATEGIES name of a strategy object (None or the default strategy: "default")."""
    if strategy is None or type(strategy).__name__ == "_DefaultDistributionStrategy":
        return "default"
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return "multi_worker"
    if isinstance(strategy, tf.distribute.TPUStrategy):
        return "tpu"
    if isinstance(strategy, tf.distribute.MirroredStrategy):
        return "mirrored"
    return type(strategy).__name__


def num_replicas(strategy: Optional[tf.distribute.Strategy]) -> int:
    return 1 if strategy is None else int(strategy.num_replicas_in_sync)


def needs_custom_loop(strategy: Optional[tf.distribute.Strategy]) -> bool:
    """True where Keras 3 `fit` cannot train (multi-worker: keras-team/keras#20585) or should not
    (TPU): the run goes through `tfgan_zoo.training.loop` instead."""
    return strategy_name(strategy) in ("multi_worker", "tpu")


def task(strategy: Optional[tf.distribute.Strategy]) -> tuple[Optional[str], int]:
    """(task_type, task_id) of this process in its cluster; (None, 0) without one."""
    resolver = getattr(strategy, "cluster_resolver", None) if strategy is not None else None
    if resolver is None or not resolver.cluster_spec().as_dict():
        return None, 0
    return resolver.task_type, int(resolver.task_id or 0)


def is_chief(strategy: Optional[tf.distribute.Strategy]) -> bool:
    """Whether this process writes the run directory: the "chief" task, or worker 0 of a cluster
    without one, or the only process (TensorFlow's multi-worker convention)."""
    task_type, task_id = task(strategy)
    if task_type is None or task_type == "chief":
        return True
    has_chief = "chief" in strategy.cluster_resolver.cluster_spec().as_dict()
    return task_type == "worker" and task_id == 0 and not has_chief


def free_local_ports(count: int) -> list[int]:
    """`count` TCP ports free on 127.0.0.1 now, for a local test cluster's TF_CONFIG."""
    import socket

    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()
