"""The style-based generator of StyleGAN (Karras, Laine, Aila, "A Style-Based Generator
Architecture for Generative Adversarial Networks", CVPR 2019), after the official
training/networks_stylegan.py (G_mapping, G_synthesis, G_style).

    generator = stylegan_generator(latent_dim=64, resolution=32, channels=1, fmap_base=256, fmap_max=64)
    images = generator(z)                       # z [, labels] -> images, no mixing, no truncation
    parts = style_parts(generator)              # the sub-models, for mixing and truncation
    w = parts.map(z)                            # (batch, w_dim)
    styles = parts.styles(w, w_mix, crossover, psi=0.7)   # (batch, num_layers, w_dim)
    images = parts.synthesize(styles, noise="fixed")

The generator is a functional model `z [, labels] -> images` made of two functional sub-models:

- "mapping" (G_mapping): [z, embed(label)] -> pixel norm -> `mapping_layers` equalized dense
  layers with leaky ReLU (0.2) and the learning-rate multiplier 0.01 -> `WAverage` (identity;
  it holds w_avg, the moving average of w, and the truncation trick in W);
- "synthesis" (G_synthesis): styles (batch, num_layers, w_dim) -> images. One sub-model
  "block_{r}" per resolution: a learned 4x4 constant (ones) at 4x4, then per resolution two 3x3
  equalized convolutions (the first after a nearest 2x upsampling and followed by the [1, 2, 1]
  blur), each followed by the layer epilogue noise -> bias -> leaky ReLU -> instance norm ->
  style (AdaIN with its own equalized affine of the layer's style); a linear 1x1 toRGB (gain 1)
  per resolution, faded into the next (alpha 1 in the final model; `synthesis_at` grows it);
  the output is clipped to [-1, 1] at inference only (InferenceClip: the official code clips
  when it converts samples to images). num_layers = 2 log2(resolution) - 2.

The plain generator broadcasts one w to every layer. Style mixing (two latents and a crossover
layer) belongs to training (tfgan_zoo.training.stylegan) and to sampling; both compose the
sub-models through `StyleParts`.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any, Optional

import keras
import numpy as np
from keras import ops

from tfgan_zoo.layers import (
    AdaIN, Bias, Blur2D, ConstantInput, EqualizedConv2D, EqualizedDense, FadeIn, InferenceClip,
    NoiseInjection, PixelNormalization, WAverage,
)
from tfgan_zoo.layers.noise_injection import inference_noise
from tfgan_zoo.layers.fade_in import fade
from tfgan_zoo.layers.w_average import check_cutoff
from tfgan_zoo.models.pggan import check_resolution, feature_maps, nested_layers, upscale2d
from tfgan_zoo.models.registry import declare

#: The official truncation_cutoff: the style layers of the 4x4 to 32x32 resolutions.
OFFICIAL_TRUNCATION_CUTOFF = 8
LEAKY_SLOPE = 0.2
NOISE_MODES = ("random", "fixed", "none")


def num_style_layers(resolution: int) -> int:
    """Style inputs of a synthesis network: two per resolution from 4x4, 2 log2(R) - 2."""
    return 2 * int(math.log2(check_resolution(resolution))) - 2


def default_truncation_cutoff(resolution: int) -> int:
    """The official cutoff 8 (the layers of 4x4 to 32x32) where the generator has more style
    layers; every layer at 32 px and below (8 at 32 px, 6 at 16 px; 8 of 10 at 64 px)."""
    return min(OFFICIAL_TRUNCATION_CUTOFF, num_style_layers(resolution))


def _check_positive(**values: Any) -> None:
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{key} must be a positive integer, got {value!r}.")


# --- the networks --------------------------------------------------------------------------

def stylegan_mapping(
    latent_dim: int = 512, w_dim: int = 512, num_layers: int = 8, width: Optional[int] = None,
    lr_multiplier: float = 0.01, num_classes: Optional[int] = None, w_avg_beta: float = 0.995,
    truncation_cutoff: Optional[int] = None, name: str = "mapping",
) -> keras.Model:
    """z (batch, latent_dim) [, labels (batch,)] -> w (batch, w_dim) (the official G_mapping).

    A conditional network concatenates a label embedding of width latent_dim (initialised
    N(0, 1), the official LabelConcat) to z before the pixel norm. Every dense layer, the last
    included, is equalized with gain sqrt 2 and the learning-rate multiplier (stored weights
    N(0, 1/lrmul^2), run-time scale lrmul sqrt(2/fan_in), biases times lrmul) and ends in a leaky
    ReLU (0.2). The last layer, WAverage, holds w_avg (decay w_avg_beta) for truncation.
    """
    _check_positive(latent_dim=latent_dim, w_dim=w_dim, num_layers=num_layers)
    width = w_dim if width is None else width
    _check_positive(width=width)
    z = keras.Input((latent_dim,), name="z")
    inputs, h = [z], z
    if num_classes is not None:
        _check_positive(num_classes=num_classes)
        labels = keras.Input((), dtype="int32", name="labels")
        inputs.append(labels)
        embedding = keras.layers.Embedding(
            num_classes, latent_dim, embeddings_initializer=keras.initializers.RandomNormal(stddev=1.0),
            name="label_embedding")(labels)
        h = keras.layers.Concatenate(name="z_and_label")([z, embedding])
    h = PixelNormalization(name="normalize_z")(h)
    for i in range(num_layers):
        units = w_dim if i == num_layers - 1 else width
        h = EqualizedDense(units, gain=math.sqrt(2.0), lr_multiplier=lr_multiplier, name=f"dense_{i}")(h)
        h = keras.layers.LeakyReLU(LEAKY_SLOPE, name=f"lrelu_{i}")(h)
    w = WAverage(beta=w_avg_beta, truncation_cutoff=truncation_cutoff, name="w_average")(h)
    return keras.Model(inputs if num_classes is not None else z, w, name=name)


def _layer_epilogue(x: Any, styles: Any, index: int, noise_seed: Optional[int], name: str) -> Any:
    """noise -> bias -> leaky ReLU -> instance norm + style (the official layer_epilogue)."""
    seed = None if noise_seed is None else noise_seed + index
    x = NoiseInjection(seed=seed, inference_noise="random", name=f"{name}_noise")(x)
    x = Bias(name=f"{name}_bias")(x)
    x = keras.layers.LeakyReLU(LEAKY_SLOPE, name=f"{name}_lrelu")(x)
    return AdaIN(name=f"{name}_adain")([x, styles[:, index]])


def _synthesis_block(resolution: int, in_maps: Optional[int], maps: int, num_layers: int, w_dim: int,
                     blur: bool, noise_seed: Optional[int]) -> keras.Model:
    """"block_{r}": [x,] styles -> features at r x r, styling its two layers 2 log2(r) - 4, - 3."""
    styles = keras.Input((num_layers, w_dim), name=f"block_{resolution}_styles")
    size, level, gain = f"{resolution}x{resolution}", int(math.log2(resolution)), math.sqrt(2.0)
    if in_maps is None:  # 4x4: the learned constant, then one convolution
        x = ConstantInput(4, 4, maps, name=f"{size}_const")(styles)
        x = _layer_epilogue(x, styles, 0, noise_seed, f"{size}_const")
        x = EqualizedConv2D(maps, 3, gain=gain, use_bias=False, name=f"{size}_conv")(x)
        x = _layer_epilogue(x, styles, 1, noise_seed, f"{size}_conv")
        return keras.Model(styles, x, name=f"block_{resolution}")
    features = keras.Input((resolution // 2, resolution // 2, in_maps), name=f"block_{resolution}_input")
    x = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"{size}_upsample")(features)
    x = EqualizedConv2D(maps, 3, gain=gain, use_bias=False, name=f"{size}_conv0_up")(x)
    if blur:
        x = Blur2D(name=f"{size}_blur")(x)
    x = _layer_epilogue(x, styles, 2 * level - 4, noise_seed, f"{size}_conv0_up")
    x = EqualizedConv2D(maps, 3, gain=gain, use_bias=False, name=f"{size}_conv1")(x)
    x = _layer_epilogue(x, styles, 2 * level - 3, noise_seed, f"{size}_conv1")
    return keras.Model([features, styles], x, name=f"block_{resolution}")


def stylegan_synthesis(
    resolution: int = 32, channels: int = 3, w_dim: int = 512, fmap_base: int = 8192,
    fmap_max: int = 512, blur: bool = True, noise_seed: Optional[int] = None, name: str = "synthesis",
) -> keras.Model:
    """styles (batch, num_layers, w_dim) -> images (batch, R, R, channels) (the official
    G_synthesis). One sub-model "block_{r}" per resolution (4x4: the constant and a 3x3
    convolution; above: nearest 2x upsampling, a 3x3 convolution, the blur, a 3x3 convolution),
    each convolution followed by the layer epilogue, and a linear 1x1 toRGB "to_rgb_{r}"
    (gain 1, no tanh, as the official code; clipped to [-1, 1] at inference only, layer
    "images") per resolution, joined by FadeIn layers "fade_{r}"
    at alpha 1 (the official "linear" structure: every stage is part of the model and the final
    output is exactly the last toRGB; `synthesis_at` runs one stage of progressive growing).
    Convolutions are equalized (gain sqrt 2) without their own bias: conv [-> blur] -> noise ->
    bias, the official order. The noise layers sample fresh noise at inference too ("random");
    `inference_noise(model, "fixed")` switches them to their buffers. `noise_seed` seeds them
    (layer i: noise_seed + i)."""
    num_layers = num_style_layers(resolution)
    _check_positive(channels=channels, w_dim=w_dim, fmap_base=fmap_base, fmap_max=fmap_max)
    styles = keras.Input((num_layers, w_dim), name="styles")
    x, images, in_maps = None, None, None
    for level in range(2, int(math.log2(resolution)) + 1):
        r = 2 ** level
        maps = feature_maps(r, fmap_base, 1.0, fmap_max)
        block = _synthesis_block(r, in_maps, maps, num_layers, w_dim, blur, noise_seed)
        x = block(styles) if in_maps is None else block([x, styles])
        in_maps = maps
        rgb = EqualizedConv2D(channels, 1, gain=1.0, use_bias=True, dtype="float32", name=f"to_rgb_{r}")(x)
        if images is None:
            images = rgb
        else:
            old = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"upsample_rgb_{r}")(images)
            images = FadeIn(alpha=1.0, dtype="float32", name=f"fade_{r}")([old, rgb])
    images = InferenceClip(dtype="float32", name="images")(images)
    return keras.Model(styles, images, name=name)


def synthesis_at(synthesis: keras.Model, styles: Any, resolution: int, alpha: Any = None,
                 training: bool = False) -> Any:
    """The synthesis network grown to `resolution`, at the final size: the blocks up to it, its
    toRGB faded by alpha (None: 1, stable) with the previous stage's toRGB upsampled, then
    nearest-upsampled to the final resolution (the official G_synthesis at a level of detail).
    Runs only the blocks up to `resolution`."""
    final = int(synthesis.outputs[0].shape[1])
    x = previous = None
    for level in range(2, int(math.log2(resolution)) + 1):
        block = synthesis.get_layer(f"block_{2 ** level}")
        previous, x = x, block(styles, training=training) if level == 2 else block([x, styles], training=training)
    images = synthesis.get_layer(f"to_rgb_{resolution}")(x)
    if alpha is not None and previous is not None:
        images = fade(upscale2d(synthesis.get_layer(f"to_rgb_{resolution // 2}")(previous), 2), images, alpha)
    return synthesis.get_layer("images")(upscale2d(images, final // resolution), training=training)


@declare("generator", makes="images", resolutions=tuple(2 ** k for k in range(2, 11)), conditional=True,
         fixed_resolution=True)
def stylegan_generator(
    latent_dim: int = 512, resolution: int = 32, channels: int = 3, w_dim: Optional[int] = None,
    mapping_layers: int = 8, mapping_width: Optional[int] = None, mapping_lr_multiplier: float = 0.01,
    fmap_base: int = 8192, fmap_max: int = 512, num_classes: Optional[int] = None,
    w_avg_beta: float = 0.995, truncation_cutoff: Optional[int] = None, blur: bool = True,
    noise_seed: Optional[int] = None, name: str = "generator",
) -> keras.Model:
    """z (batch, latent_dim) [, labels (batch,)] -> images (batch, R, R, channels): the mapping
    network, w broadcast to every style layer, the synthesis network (Karras et al. 2019, fig. 1b).

    Args:
        latent_dim: width of z (official 512). w_dim: width of w (default latent_dim).
        resolution: a power of 2 >= 4; the synthesis network has 2 log2(R) - 2 style layers.
        mapping_layers, mapping_width, mapping_lr_multiplier: the mapping network (official 8,
            512, 0.01).
        fmap_base, fmap_max: feature maps min(fmap_base / 2^stage, fmap_max) (official 8192, 512).
        num_classes: a label embedding concatenated to z in the mapping network.
        w_avg_beta: decay of the tracked w_avg (official 0.995).
        truncation_cutoff: style layers truncation applies to by default, in [1, num_layers]
            (default `default_truncation_cutoff(resolution)`: the official 8, capped at the
            number of layers).
        blur: the [1, 2, 1] filter after each upsampling convolution.
        noise_seed: seed of the noise layers (None: random).
    """
    num_layers = num_style_layers(resolution)
    w_dim = latent_dim if w_dim is None else w_dim
    cutoff = default_truncation_cutoff(resolution) if truncation_cutoff is None else check_cutoff(
        truncation_cutoff, num_layers)
    mapping = stylegan_mapping(latent_dim, w_dim, mapping_layers, mapping_width, mapping_lr_multiplier,
                               num_classes, w_avg_beta, cutoff)
    synthesis = stylegan_synthesis(resolution, channels, w_dim, fmap_base, fmap_max, blur, noise_seed)
    z = keras.Input((latent_dim,), name="z")
    inputs = [z]
    if num_classes is not None:
        inputs.append(keras.Input((), dtype="int32", name="labels"))
    w = mapping(inputs if num_classes is not None else z)
    styles = keras.layers.RepeatVector(num_layers, name="broadcast")(w)
    images = synthesis(styles)
    return keras.Model(inputs if num_classes is not None else z, images, name=name)


# --- mixing, truncation, composition -------------------------------------------------------

def mix_styles(w: Any, w_mix: Any, crossover: Any, num_layers: int) -> Any:
    """Per-layer styles (batch, num_layers, w_dim): w on the layers l < crossover, w_mix on the
    rest (Karras et al. 2019, sec. 3.1; the official tf.where(layer_idx < mixing_cutoff, ...)).
    `crossover` is one int per sample (or one for all); 0 takes w_mix everywhere, num_layers w."""
    layer = ops.reshape(ops.arange(num_layers, dtype="int32"), (1, -1, 1))
    first = layer < ops.reshape(ops.cast(crossover, "int32"), (-1, 1, 1))
    return ops.where(first, ops.expand_dims(w, 1), ops.expand_dims(w_mix, 1))


def _as_vector(value: Any, dtype: Any) -> Optional[np.ndarray]:
    """`value` as a numpy array of rank <= 1, or None when it is not numeric of such a rank."""
    try:
        array = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        return None
    return array if array.ndim <= 1 else None


def _first_bad(array: np.ndarray, good: np.ndarray) -> str:
    value = array.reshape(-1)[~good.reshape(-1)][0].item()
    return repr(int(value) if float(value).is_integer() else value)


def check_psi(psi: Any) -> np.ndarray:
    """psi as float32 (a number or one per sample), every value in [0, 1]; ValueError otherwise."""
    values = _as_vector(psi, np.float64)
    good = None if values is None else (values >= 0.0) & (values <= 1.0)  # NaN is not good
    if values is None or not good.all():
        shown = repr(psi) if values is None else _first_bad(values, good)
        raise ValueError("psi (the truncation in W) must be a number, or one per sample, in [0, 1] "
                         f"(1: untruncated, 0: w_avg), got {shown}.")
    return values.astype(np.float32)


def check_crossover(crossover: Any, num_layers: int) -> np.ndarray:
    """crossover as int32 (a number or one per sample), every value an integer in [0, num_layers]."""
    values = _as_vector(crossover, np.float64)
    good = None if values is None else (values == np.round(values)) & (values >= 0) & (values <= num_layers)
    if values is None or not good.all():
        shown = repr(crossover) if values is None else _first_bad(values, good)
        raise ValueError(f"crossover must be an integer layer in [0, {num_layers}] (the generator has {num_layers} "
                         f"style layers; the first latent styles the layers below it), got {shown}.")
    return values.astype(np.int32)


def check_noise(noise: Any) -> str:
    if noise not in NOISE_MODES:
        raise ValueError(f"noise must be one of {list(NOISE_MODES)}, got {noise!r}.")
    return noise


@dataclasses.dataclass(frozen=True)
class StyleParts:
    """The sub-models of a style-based generator, composed for mixing and truncation."""

    mapping: keras.Model
    w_average: WAverage
    synthesis: keras.Model

    @property
    def num_layers(self) -> int:
        return int(self.synthesis.inputs[0].shape[1])

    @property
    def conditional(self) -> bool:
        return len(self.mapping.inputs) == 2

    def map(self, z: Any, labels: Any = None, training: bool = False) -> Any:
        """w = mapping(z [, labels]), (batch, w_dim)."""
        return self.mapping([z, labels] if self.conditional else z, training=training)

    def styles(self, w: Any, w_mix: Any = None, crossover: Any = None, psi: Any = None,
               truncation_cutoff: Optional[int] = None) -> Any:
        """(batch, num_layers, w_dim): w, or w / w_mix mixed at `crossover`; then, when `psi` is
        given, truncated toward w_avg on the first `truncation_cutoff` layers (the official order)."""
        if w_mix is None:
            styles = ops.repeat(ops.expand_dims(w, 1), self.num_layers, axis=1)
        else:
            styles = mix_styles(w, w_mix, crossover, self.num_layers)
        if psi is None:
            return styles
        return self.w_average.truncate(styles, psi, truncation_cutoff)

    @property
    def resolution(self) -> int:
        return int(self.synthesis.outputs[0].shape[1])

    def synthesize(self, styles: Any, training: bool = False, noise: Optional[str] = None,
                   resolution: Optional[int] = None, alpha: Any = None) -> Any:
        """images = synthesis(styles), grown to `resolution` (default: the final one) with fade
        `alpha` (None: stable; see `synthesis_at`); `noise` "random" / "fixed" / "none" sets the
        inference noise for this call (default: the layers' own mode, "random")."""
        resolution = self.resolution if resolution is None else resolution
        styles = ops.convert_to_tensor(styles)
        if noise is None or training:
            return synthesis_at(self.synthesis, styles, resolution, alpha, training=training)
        with inference_noise(self.synthesis, check_noise(noise)):
            return synthesis_at(self.synthesis, styles, resolution, alpha, training=False)


def style_parts(generator: keras.Model) -> StyleParts:
    """The mapping / w_average / synthesis parts of a `stylegan_generator` model."""
    try:
        mapping, synthesis = generator.get_layer("mapping"), generator.get_layer("synthesis")
        w_average = mapping.get_layer("w_average")
    except (ValueError, AttributeError):
        raise ValueError(
            f"Expected a style-based generator (tfgan_zoo.models.stylegan_generator) with sub-models "
            f"'mapping' (ending in a WAverage layer) and 'synthesis', got {getattr(generator, 'name', generator)!r}."
        ) from None
    if not isinstance(w_average, WAverage):
        raise ValueError(f"The mapping network of {generator.name!r} must end with a WAverage layer, got "
                         f"{type(w_average).__name__}.")
    return StyleParts(mapping, w_average, synthesis)


def is_style_generator(generator: Any) -> bool:
    """Whether `generator` is a style-based generator (has mapping / synthesis sub-models)."""
    try:
        style_parts(generator)
    except ValueError:
        return False
    return True
