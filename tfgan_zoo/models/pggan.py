"""Progressive-GAN generator and discriminator (Karras et al. 2018, "Progressive Growing of GANs for
Improved Quality, Stability, and Variation", table 2 and the official networks.py G_paper / D_paper).

Both networks hold every resolution block from 4x4 up to `resolution` (any power of two up to
1024), so optimizers, the EMA copy and checkpoints never change shape while the networks grow.

Generator (per resolution r):
    4x4    pixel norm(z) -> dense to 4x4xC (gain sqrt2/4, as the official code) -> bias -> lrelu
           -> pixel norm -> conv 3x3 -> lrelu -> pixel norm                      ("block_4")
    r > 4  nearest 2x upsample -> (conv 3x3 -> lrelu -> pixel norm) x 2          ("block_r")
    toRGB  conv 1x1, gain 1, linear output (no tanh, as the official code)         ("to_rgb_r")
Discriminator:
    fromRGB conv 1x1 -> lrelu                                                      ("from_rgb_r")
    r > 4   conv 3x3 -> lrelu -> conv 3x3 -> 2x2 average pool -> lrelu             ("block_r")
    4x4     minibatch stddev (group 4) -> conv 3x3 -> lrelu -> dense -> lrelu -> dense to 1
                                                                                  ("block_4")
Every conv / dense is equalized (weights N(0, 1) scaled at run time by gain / sqrt(fan_in), gain
sqrt 2 unless said), biases start at 0, leaky ReLU slope 0.2, pixel-norm epsilon 1e-8. Feature maps
per resolution: min(fmap_base / 2^(log2(r) - 1) ^ fmap_decay, fmap_max) (the official nf()).

Declared with a fixed resolution: a preset's resolution is its growing schedule's final one, not
the data's (`config.data_fit` says how data of another size gets there).

The functional models are the *final* networks: the generator maps z to images at `resolution`,
the discriminator maps such images to logits. They are built as the official "linear" structure
-- every toRGB / fromRGB with a FadeIn layer (alpha 1) between consecutive resolutions -- so that
all blocks are part of the model; with every alpha at 1 each fade passes its new path exactly.
Training at a lower level of detail does not run the whole model: `generator_at` and
`discriminator_at` call only the blocks of one stage (`training.progressive.ProgressiveGAN` picks
the stage in the graph).

Deviations from the official code: the convolutions are not fused with the resampling (the
official fused upscale-conv / conv-downscale compute the same function); the 4x4 dense output is
laid out (4, 4, C) channels-last; minibatch stddev falls back to the largest group size dividing
the batch (the official reshape fails on such a batch); the generator is unconditional. A
conditional discriminator is a projection one (Miyato & Koyama 2018), psi(phi) + <embed(y), phi>:
the official StyleGAN D keeps only the label's score of a num_classes-wide last dense layer
(D_basic's LabelSwitch, the same inner product plus a per-class bias), without the unconditional
psi(phi).
"""
from __future__ import annotations

import math
from typing import Any, Optional

import keras
from keras import ops

from tfgan_zoo.layers import Bias, Blur2D, EqualizedConv2D, EqualizedDense, FadeIn, InferenceClip, MinibatchStdDev, PixelNormalization
from tfgan_zoo.layers.fade_in import fade
from tfgan_zoo.models.registry import declare
from tfgan_zoo.value_checks import check_num_classes

MIN_RESOLUTION = 4
MAX_RESOLUTION = 1024
RESOLUTIONS = tuple(2**k for k in range(2, 11))  # 4 .. 1024
DENSE_4X4_GAIN = math.sqrt(2.0) / 4.0  # the official G's 4x4 dense ("to match the original Theano implementation")
LRELU = "leaky_relu"  # keras.activations.leaky_relu: negative slope 0.2, as the paper


def check_resolution(value: Any, name: str = "resolution") -> int:
    """`value` as an int if it is a power of two in [4, 1024], else a ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
        raise ValueError(f"{name} must be a power of two between {MIN_RESOLUTION} and {MAX_RESOLUTION}, got {value!r}.")
    value = int(value)
    if value < MIN_RESOLUTION or value > MAX_RESOLUTION or value & (value - 1):
        raise ValueError(f"{name} must be a power of two between {MIN_RESOLUTION} and {MAX_RESOLUTION}, got {value}.")
    return value


def resolutions_between(start: int, final: int) -> list[int]:
    """[start, 2 start, ..., final] for powers of two start <= final."""
    return [start * 2**k for k in range(int(math.log2(final // start)) + 1)]


def feature_maps(resolution: int, fmap_base: int = 8192, fmap_decay: float = 1.0, fmap_max: int = 512) -> int:
    """Feature maps of the block at `resolution`: the official nf(log2(resolution) - 1)."""
    stage = math.log2(resolution) - 1
    return max(1, min(int(fmap_base / (2.0 ** (stage * fmap_decay))), int(fmap_max)))


def upscale2d(images: Any, factor: int) -> Any:
    """Nearest-neighbour upsampling by an integer factor (each pixel becomes a factor x factor block)."""
    if factor == 1:
        return images
    return ops.repeat(ops.repeat(images, factor, axis=1), factor, axis=2)


def downscale2d(images: Any, factor: int) -> Any:
    """Box-filter downsampling: the mean of each factor x factor block (average pooling)."""
    if factor == 1:
        return images
    return ops.average_pool(images, factor, factor, padding="valid")


def _check_sizes(fmap_base: int, fmap_max: int, channels: int) -> None:
    for name, value in (("fmap_base", fmap_base), ("fmap_max", fmap_max), ("channels", channels)):
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")


def _check_unconditional(num_classes: Optional[int]) -> None:
    if num_classes is not None:
        raise ValueError(f"The PGGAN networks are unconditional: expected num_classes=None, got {num_classes!r}.")


# --- generator -------------------------------------------------------------------------------------

def _generator_block(resolution: int, in_shape: tuple, maps: int) -> keras.Model:
    x = keras.Input(in_shape, name=f"block_{resolution}_input")
    if resolution == MIN_RESOLUTION:
        h = PixelNormalization(name="normalize_latents")(x)
        h = EqualizedDense(16 * maps, gain=DENSE_4X4_GAIN, use_bias=False, name="dense")(h)
        h = keras.layers.Reshape((4, 4, maps), name="reshape")(h)
        h = Bias(name="dense_bias")(h)
        h = keras.layers.LeakyReLU(0.2, name="dense_lrelu")(h)
        h = PixelNormalization(name="dense_norm")(h)
        convs = ("conv",)
    else:
        h = keras.layers.UpSampling2D(2, interpolation="nearest", name="upsample")(x)
        convs = ("conv0", "conv1")
    for conv in convs:
        h = EqualizedConv2D(maps, 3, activation=LRELU, name=conv)(h)
        h = PixelNormalization(name=f"{conv}_norm")(h)
    return keras.Model(x, h, name=f"block_{resolution}")


@declare("generator", makes="images", resolutions=RESOLUTIONS, fixed_resolution=True)
def pggan_generator(
    latent_dim: int = 512, resolution: int = 32, channels: int = 3, fmap_base: int = 8192,
    fmap_max: int = 512, fmap_decay: float = 1.0, num_classes: Optional[int] = None, name: str = "generator",
) -> keras.Model:
    """z (batch, latent_dim) -> images (batch, resolution, resolution, channels), the final stage.

    Args:
        latent_dim: width of z (the official default is nf(0) = min(fmap_base, fmap_max)).
        resolution: output side, a power of two in [4, 1024].
        channels: image channels.
        fmap_base, fmap_max, fmap_decay: feature maps per block (`feature_maps`).
        num_classes: must be None (unconditional).
    """
    _check_unconditional(num_classes)
    resolution = check_resolution(resolution)
    _check_sizes(fmap_base, fmap_max, channels)
    if isinstance(latent_dim, bool) or int(latent_dim) != latent_dim or latent_dim < 1:
        raise ValueError(f"latent_dim must be a positive integer, got {latent_dim!r}.")
    z = keras.Input((int(latent_dim),), name="z")
    h, images, shape = z, None, (int(latent_dim),)
    for r in resolutions_between(MIN_RESOLUTION, resolution):
        maps = feature_maps(r, fmap_base, fmap_decay, fmap_max)
        h = _generator_block(r, shape, maps)(h)
        shape = (r, r, maps)
        rgb = EqualizedConv2D(int(channels), 1, gain=1.0, name=f"to_rgb_{r}")(h)
        if images is None:
            images = rgb
        else:
            old = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"upsample_rgb_{r}")(images)
            images = FadeIn(alpha=1.0, name=f"fade_{r}")([old, rgb])
    # Linear in training; clipped to the data range at inference, as the official code clips samples.
    images = InferenceClip(dtype="float32", name="images")(images)
    return keras.Model(z, images, name=name)


def generator_at(generator: keras.Model, z: Any, resolution: int, alpha: Any = None, training: bool = False) -> Any:
    """The generator grown to `resolution`: fade(upsampled toRGB of the previous stage, toRGB of
    this one, alpha) -- alpha None means 1, the stable phase -- then nearest-upsampled to the
    final resolution (the official G's output at a level of detail). Runs only the blocks up to
    `resolution`."""
    final = int(generator.outputs[0].shape[1])
    h, previous = z, None
    for r in resolutions_between(MIN_RESOLUTION, resolution):
        previous, h = h, generator.get_layer(f"block_{r}")(h, training=training)
    images = generator.get_layer(f"to_rgb_{resolution}")(h)
    if alpha is not None and resolution > MIN_RESOLUTION:
        old = upscale2d(generator.get_layer(f"to_rgb_{resolution // 2}")(previous), 2)
        images = fade(old, images, alpha)
    return upscale2d(images, final // resolution)


def generator_for_level(generator: keras.Model, resolution: int, alpha: float = 1.0) -> keras.Model:
    """A copy of the final `generator` that computes the level of detail (`resolution`, `alpha`)
    as one model from z to images at the final size (what `export --stage current` writes): its
    FadeIn alphas are set to 1 below `resolution`, `alpha` at it and 0 above, so each fade above
    passes the upsampled lower stage exactly. Equals `generator_at` (computing every block)."""
    final = network_resolution(generator, "generator")
    resolution = check_resolution(resolution)
    if resolution > final:
        raise ValueError(f"resolution {resolution} exceeds the generator's {final}x{final}.")
    model = keras.models.clone_model(generator)
    model.set_weights(generator.get_weights())
    fades = {layer.name: layer for layer in nested_layers(model) if isinstance(layer, FadeIn)}
    for r in resolutions_between(2 * MIN_RESOLUTION, final) if final > MIN_RESOLUTION else []:
        value = 1.0 if r < resolution else (float(alpha) if r == resolution else 0.0)
        fades[f"fade_{r}"].set_alpha(value)
    return model


def nested_layers(model: keras.layers.Layer) -> list:
    """Every layer of `model` and of its sub-models (a style generator's fades sit in its synthesis)."""
    found = []
    for layer in getattr(model, "layers", ()):
        found += [layer, *nested_layers(layer)]
    return found


# --- discriminator ---------------------------------------------------------------------------------

def _from_rgb(resolution: int, maps: int) -> keras.layers.Layer:
    return EqualizedConv2D(maps, 1, activation=LRELU, name=f"from_rgb_{resolution}")


def _discriminator_block(resolution: int, in_maps: int, fmaps: Any, group_size: int, blur: bool = False,
                         num_classes: Optional[int] = None) -> keras.Model:
    x = keras.Input((resolution, resolution, in_maps), name=f"block_{resolution}_input")
    if resolution == MIN_RESOLUTION:
        h = MinibatchStdDev(group_size=group_size, name="minibatch_stddev")(x) if group_size > 1 else x
        h = EqualizedConv2D(fmaps(4), 3, activation=LRELU, name="conv")(h)
        h = keras.layers.Flatten(name="flatten")(h)
        features = EqualizedDense(fmaps(2), activation=LRELU, name="dense0")(h)
        h = EqualizedDense(1, gain=1.0, name="dense1")(features)
        if num_classes is not None:
            labels = keras.Input((), dtype="int32", name="block_4_labels")
            h = keras.layers.Add(name="conditional_logits")([h, projection_term(features, labels, num_classes)])
            return keras.Model([x, labels], h, name="block_4")
    else:
        h = EqualizedConv2D(fmaps(resolution), 3, activation=LRELU, name="conv0")(x)
        if blur:  # StyleGAN's D_basic: the [1, 2, 1] filter before the downsampling convolution
            h = Blur2D(name="blur")(h)
        # conv -> 2x2 mean -> lrelu: the official fused conv-downscale applies bias and activation
        # after the downscale (the mean commutes with the bias).
        h = EqualizedConv2D(fmaps(resolution // 2), 3, name="conv1")(h)
        h = keras.layers.AveragePooling2D(2, name="downscale")(h)
        h = keras.layers.LeakyReLU(0.2, name="conv1_lrelu")(h)
    return keras.Model(x, h, name=f"block_{resolution}")


def projection_term(features: Any, labels: Any, num_classes: int) -> Any:
    """<embed(y), phi(x)> (Miyato & Koyama 2018, eq. 3) with the official StyleGAN D's label
    conditioning: an equalized dense of phi to one score per class (gain 1, no bias), of which
    the label's is kept (D_basic's Dense1 with label_size outputs and LabelSwitch), so embed(y)
    is that dense's column y, scaled at run time by 1 / sqrt(width of phi)."""
    per_class = EqualizedDense(num_classes, gain=1.0, use_bias=False, name="projection")(features)
    one_hot = keras.layers.CategoryEncoding(num_classes, output_mode="one_hot", name="label_one_hot")(labels)
    return keras.layers.Dot(axes=1, name="projection_inner")([per_class, one_hot])


@declare("discriminator", makes="images", resolutions=RESOLUTIONS, conditional=True, fixed_resolution=True)
def pggan_discriminator(
    resolution: int = 32, channels: int = 3, fmap_base: int = 8192, fmap_max: int = 512,
    fmap_decay: float = 1.0, minibatch_group_size: int = 4, num_classes: Optional[int] = None,
    blur: bool = False, name: str = "discriminator",
) -> keras.Model:
    """images (batch, resolution, resolution, channels) [, labels (batch,)] -> logits (batch, 1),
    the final stage.

    Args:
        resolution, channels, fmap_base, fmap_max, fmap_decay: as `pggan_generator`.
        minibatch_group_size: group size of the minibatch stddev layer in the 4x4 block (paper: 4;
            0 or 1: no such layer).
        num_classes: None (unconditional), or the classes of a projection discriminator: the 4x4
            block adds <embed(y), phi(x)> to its output, phi(x) the features of its first dense
            layer (`projection_term`).
        blur: the [1, 2, 1] low-pass filter before each downsampling convolution (StyleGAN's
            D_basic, Karras et al. 2019; off in PGGAN).
    """
    check_num_classes(num_classes)
    resolution = check_resolution(resolution)
    _check_sizes(fmap_base, fmap_max, channels)
    if isinstance(minibatch_group_size, bool) or int(minibatch_group_size) != minibatch_group_size \
            or minibatch_group_size < 0:
        raise ValueError(f"minibatch_group_size must be an integer >= 0, got {minibatch_group_size!r}.")

    def fmaps(r: int) -> int:  # nf(log2(r) - 1); r = 2 gives nf(0), the 4x4 block's dense width
        return feature_maps(r, fmap_base, fmap_decay, fmap_max)

    num_classes = None if num_classes is None else int(num_classes)
    images = keras.Input((resolution, resolution, int(channels)), name="images")
    labels = None if num_classes is None else keras.Input((), dtype="int32", name="labels")
    h = _from_rgb(resolution, fmaps(resolution))(images)
    for r in reversed(resolutions_between(MIN_RESOLUTION, resolution)):
        block = _discriminator_block(r, int(h.shape[-1]), fmaps, int(minibatch_group_size), bool(blur), num_classes)
        h = block([h, labels]) if labels is not None and r == MIN_RESOLUTION else block(h)
        if r > MIN_RESOLUTION:
            low = keras.layers.AveragePooling2D(resolution // (r // 2), name=f"downscale_rgb_{r // 2}")(images)
            old = _from_rgb(r // 2, fmaps(r // 2))(low)
            h = FadeIn(alpha=1.0, name=f"fade_{r}")([old, h])
    return keras.Model(images if labels is None else [images, labels], h, name=name)


def discriminator_at(discriminator: keras.Model, images: Any, resolution: int, alpha: Any = None,
                     training: bool = False, labels: Any = None) -> Any:
    """Logits of the discriminator grown to `resolution` for full-resolution images: fromRGB of
    the images box-downscaled to `resolution`, faded by alpha (None: 1) with fromRGB of those at
    half the resolution after the new block, then the blocks down to 4x4 (the official D at a
    level of detail); `labels` go to the 4x4 block of a conditional discriminator. Runs only the
    blocks up to `resolution`."""
    final = int(discriminator.inputs[0].shape[1])
    conditional = len(discriminator.inputs) == 2
    if conditional != (labels is not None):
        raise ValueError(f"The discriminator {discriminator.name!r} is "
                         f"{'conditional: expected labels' if conditional else 'unconditional: expected no labels'}.")
    h = discriminator.get_layer(f"from_rgb_{resolution}")(downscale2d(images, final // resolution))
    for r in reversed(resolutions_between(MIN_RESOLUTION, resolution)):
        block = discriminator.get_layer(f"block_{r}")
        if conditional and r == MIN_RESOLUTION:
            h = block([h, ops.convert_to_tensor(labels, "int32")], training=training)
        else:
            h = block(h, training=training)
        if r == resolution and alpha is not None and r > MIN_RESOLUTION:
            old = discriminator.get_layer(f"from_rgb_{r // 2}")(downscale2d(images, final // (r // 2)))
            h = fade(old, h, alpha)
    return h


def network_resolution(model: keras.Model, role: str) -> int:
    """The image side of a PGGAN network: the generator's output, the discriminator's input."""
    tensor = model.outputs[0] if role == "generator" else model.inputs[0]
    return int(tensor.shape[1])


__all__ = [
    "MAX_RESOLUTION",
    "MIN_RESOLUTION",
    "check_resolution",
    "discriminator_at",
    "downscale2d",
    "feature_maps",
    "generator_at",
    "generator_for_level",
    "nested_layers",
    "network_resolution",
    "pggan_discriminator",
    "pggan_generator",
    "resolutions_between",
    "upscale2d",
]
