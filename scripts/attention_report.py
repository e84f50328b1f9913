"""reports/attention.md: where a trained SAGAN's self-attention looks.

For a few query positions of the generator's attention layer (Zhang et al. 2019, Fig. 1 and 5) the
softmax weights beta_{j,i} over the (2x2 max-pooled) keys, drawn over the generated image; and the
same for the discriminator's attention layer on held-out real images. The weights are the layer's own
(`SelfAttention(x, return_attention=True)`): row j sums to 1 over the keys i, key i is pooled
position (i // side, i % side) of the key grid, query j position (j // width, j % width) of the
feature map. gamma, the learned weight of the attention output (0 at initialisation), says how much
of it reaches the next layer.

    python scripts/attention_report.py --run reports/resnet_family/runs/sagan_emoji32/seed0
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np

#: Query positions as fractions of the feature map's side (row, column): four corners of the centre
#: and the centre itself.
QUERIES = ((0.25, 0.25), (0.25, 0.75), (0.5, 0.5), (0.75, 0.25), (0.75, 0.75))
MARKERS = ("#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00")


def attention_layer(model: Any) -> Any:
    """The one SelfAttention layer of a functional model (ValueError naming the model otherwise)."""
    from tfgan_zoo.layers import SelfAttention

    found = [layer for layer in model.layers if isinstance(layer, SelfAttention)]
    if len(found) != 1:
        raise ValueError(f"{model.name} has {len(found)} SelfAttention layers; expected exactly one "
                         "(a SAGAN / BigGAN network with attention_resolution set).")
    return found[0]


def attention_weights(model: Any, inputs: Any) -> tuple[np.ndarray, np.ndarray, Any]:
    """(feature map at the attention layer (N, H, W, C), beta (N, H*W, keys), the layer) for `inputs`
    of `model` (inference mode: spectral-norm vectors and batch-norm statistics are not updated)."""
    import keras

    layer = attention_layer(model)
    model_inputs = model.inputs if isinstance(inputs, (list, tuple)) else model.inputs[0]
    features = keras.Model(model_inputs, layer.input)(inputs, training=False)
    _, beta = layer(features, training=False, return_attention=True)
    return np.asarray(features), np.asarray(beta), layer


def query_indices(height: int, width: int, queries: Sequence[tuple[float, float]] = QUERIES) -> list[tuple[int, int, int]]:
    """(row, column, flat index j) of each query position on an H x W feature map."""
    found = []
    for row_fraction, column_fraction in queries:
        row, column = min(int(row_fraction * height), height - 1), min(int(column_fraction * width), width - 1)
        found.append((row, column, row * width + column))
    return found


def key_map(beta_row: np.ndarray, height: int, width: int) -> np.ndarray:
    """One query's weights over the keys as the key grid ((H/2, W/2) when pooled, else (H, W))."""
    keys = beta_row.shape[-1]
    if keys == height * width:
        return beta_row.reshape(height, width)
    if keys * 4 != height * width:
        raise ValueError(f"{keys} keys fit neither the {height}x{width} map nor its 2x2 pooling.")
    return beta_row.reshape(height // 2, width // 2)


def draw(images: np.ndarray, beta: np.ndarray, feature_shape: tuple[int, int], path: Path, title: str) -> None:
    """Rows: images; first column the image with the query positions marked, then one column per
    query: its attention weights (nearest-upsampled to the image) over the greyed image."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import PowerNorm

    height, width = feature_shape
    queries = query_indices(height, width)
    rows, size = images.shape[0], images.shape[1]
    scale = size / height
    top = float(beta.max())  # one colour scale for every panel: near-uniform attention looks flat
    norm = PowerNorm(0.5, vmin=0.0, vmax=top)  # square-root scale: small weights stay visible
    figure, axes = plt.subplots(rows, len(queries) + 1, figsize=(1.6 * (len(queries) + 1), 1.6 * rows), squeeze=False)
    for r in range(rows):
        picture = (np.clip(images[r], -1, 1) + 1) / 2
        picture = np.repeat(picture, 3, axis=-1) if picture.shape[-1] == 1 else picture
        axes[r, 0].imshow(picture, interpolation="nearest")
        for (row, column, _), colour in zip(queries, MARKERS):
            axes[r, 0].scatter([(column + 0.5) * scale - 0.5], [(row + 0.5) * scale - 0.5], s=18, c=colour,
                               edgecolors="white", linewidths=0.6)
        for q, ((row, column, index), colour) in enumerate(zip(queries, MARKERS), start=1):
            weights = key_map(beta[r, index], height, width)
            upsampled = np.kron(weights, np.ones((size // weights.shape[0], size // weights.shape[1])))
            axes[r, q].imshow(picture.mean(axis=-1), cmap="gray", alpha=0.35, interpolation="nearest")
            axes[r, q].imshow(upsampled, cmap="magma", alpha=0.75, interpolation="nearest", norm=norm)
            axes[r, q].scatter([(column + 0.5) * scale - 0.5], [(row + 0.5) * scale - 0.5], s=18, c=colour,
                               edgecolors="white", linewidths=0.6)
    for axis in axes.flat:
        axis.set_xticks([])
        axis.set_yticks([])
    figure.suptitle(f"{title}\n(colour: square root of the weight, 0 to {top:.3f}; uniform {1 / beta.shape[-1]:.3f})",
                    fontsize=9)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def summarize(beta: np.ndarray, feature_shape: tuple[int, int]) -> dict:
    """Per query: the weight of its own (pooled) key, the largest weight, and the entropy of its row
    against the uniform's log(keys) (1: attends everywhere alike), averaged over the images."""
    height, width = feature_shape
    keys = beta.shape[-1]
    pooled = keys * 4 == height * width
    out = []
    for row, column, index in query_indices(height, width):
        rows = beta[:, index, :].astype(np.float64)
        own = (row // 2) * (width // 2) + column // 2 if pooled else index
        entropy = -(rows * np.log(np.clip(rows, 1e-12, None))).sum(axis=1) / np.log(keys)
        out.append({"query": [row, column], "own_key_weight": float(rows[:, own].mean()),
                    "max_weight": float(rows.max(axis=1).mean()), "relative_entropy": float(entropy.mean())})
    return {"keys": int(keys), "queries": out}


def write_report(report: Path, run: str, step: int, trained: str, parts: dict, command: str) -> None:
    from tfgan_zoo.compare import date_and_machine

    figures = report.with_suffix("")
    lines = ["# Self-attention maps (SAGAN, Zhang et al. 2019)", "", "Regenerate with:", "", "```", command, "```", "",
             date_and_machine(), "", f"Run: `{run}` ({trained}), step {step:,}. "
             + __doc__.split("\n\n")[1].replace("\n", " "), ""]
    for name, part in parts.items():
        lines += [f"## {part['title']}", "",
                  f"Attention at {part['feature_shape'][0]}x{part['feature_shape'][1]} over {part['summary']['keys']} "
                  f"keys; gamma = {part['gamma']:+.4f}.", "",
                  "| Query (row, col) | Weight of its own key | Largest weight | Entropy / log(keys) |", "|---|---|---|---|"]
        uniform = 1.0 / part["summary"]["keys"]
        for query in part["summary"]["queries"]:
            lines.append(f"| {tuple(query['query'])} | {query['own_key_weight']:.3f} | {query['max_weight']:.3f} | "
                         f"{query['relative_entropy']:.3f} |")
        lines += ["", f"(Uniform attention: every weight {uniform:.4f}, entropy ratio 1.)", "",
                  f"![{name}]({figures.name}/{name}.png)", ""]
    lines += [f"Figures: `{figures.name}/results.json`.", ""]
    report.write_text("\n".join(lines))


def held_out_reals(config: Any, num: int, seed: int) -> Optional[tuple[np.ndarray, np.ndarray]]:
    """`num` held-out real images in [-1, 1] and their labels for a run on emoji at an embedded
    resolution (None for other runs)."""
    from tfgan_zoo.data import EMOJI_RESOLUTIONS, load_emoji, parse_spec, to_signed_unit

    if parse_spec(config.data).kind != "emoji" or config.resolution not in EMOJI_RESOLUTIONS:
        return None
    images, labels = load_emoji(config.resolution, "heldout")
    pick = np.random.default_rng(seed).choice(len(images), num, replace=False)
    return np.asarray(to_signed_unit(images[pick]), np.float32), labels[pick]


def main(argv: Optional[Sequence[str]] = None) -> int:
    from tfgan_zoo.training.runner import load_run

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", required=True, help="a run directory of a SAGAN preset (e.g. sagan_emoji32)")
    parser.add_argument("--num", type=int, default=4, help="images drawn (rows of each figure)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--report", default="reports/attention.md")
    args = parser.parse_args(argv)
    gan, config = load_run(args.run)
    generator, discriminator = gan.sampling_generator, gan.discriminator
    z = gan.prior.sample(args.num, gan.latent_dim, args.seed)
    labels = None if gan.num_classes is None else (np.arange(args.num) % gan.num_classes).astype("int32")
    g_inputs = z if labels is None else [z, labels]
    images = np.asarray(generator(g_inputs, training=False))
    reals = held_out_reals(config, args.num, args.seed)
    if reals is None:
        d_images, d_labels, d_title = images, labels, "Discriminator: attention on the generator's samples above"
    else:
        (d_images, d_labels), d_title = reals, "Discriminator: attention on held-out real images"
    d_inputs = d_images if gan.num_classes is None else [d_images, d_labels]
    report = Path(args.report)
    figures = report.with_suffix("")
    parts = {}
    for name, model, inputs, shown, title in (
            ("generator", generator, g_inputs, images, "Generator: attention of the marked queries over its samples"),
            ("discriminator", discriminator, d_inputs, d_images, d_title)):
        features, beta, layer = attention_weights(model, inputs)
        feature_shape = features.shape[1:3]
        draw(shown, beta, feature_shape, figures / f"{name}.png", title)
        parts[name] = {"title": title, "feature_shape": list(feature_shape), "gamma": float(np.asarray(layer.gamma)),
                       "summary": summarize(beta, feature_shape)}
    (figures / "results.json").write_text(json.dumps(parts, indent=2) + "\n")
    command = f"python scripts/attention_report.py --run {args.run}" + (
        "" if args.report == "reports/attention.md" else f" --report {args.report}")
    run = config.run or {}
    overrides = " ".join(f"--set {key}={value}" for key, value in (run.get("overrides") or {}).items())
    trained = f"trained by `tfgan-zoo train --preset {run.get('preset')} --steps {gan.trained_steps} {overrides}`"
    write_report(report, args.run, gan.trained_steps, trained, parts, command)
    print(f"Wrote {report} and {figures}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
