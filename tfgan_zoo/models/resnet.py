"""Residual blocks and trunks of the SNGAN-ResNet family, shared by SNGAN-ResNet, SAGAN and BigGAN.

Miyato et al. 2018, "Spectral Normalization for GANs", appendix B (fig. 8, tables 4-6), built on
the pre-activation blocks of Gulrajani et al. 2017; kept by Zhang et al. 2019 (SAGAN) and Brock
et al. 2019 (BigGAN). The layout of every block follows the official code (sngan_projection
`gen_models/resblocks.py`, `dis_models/resblocks.py`; SAGAN `generator.py`, `discriminator.py`;
BigGAN-PyTorch `layers.GBlock`, `layers.DBlock`):

    generator block      residual: norm - ReLU - 2x nearest upsample - conv3x3 - norm - ReLU - conv3x3
                         shortcut: 2x nearest upsample - conv1x1
    discriminator block  residual: ReLU - conv3x3 - ReLU - conv3x3 [- 2x2 average pool]
                         shortcut: conv1x1 [- 2x2 average pool]; the identity when the block keeps
                         its width and size
    first ("optimized")  residual: conv3x3 - ReLU - conv3x3 - 2x2 average pool (no pre-activation:
    discriminator block            its input is the image)
                         shortcut: 2x2 average pool - conv1x1

Average pooling and a 1x1 convolution are both linear and commute, so the optimized block's order
gives the same values as conv-then-pool at a quarter of the shortcut's cost. The trunks end as the
official code: the generator with BN - ReLU - conv3x3 - tanh, the discriminator with ReLU and
global SUM pooling (the layer named `features`), then a linear output (+ projection).

Every builder of the family is these trunks plus its own data: the per-resolution layouts, the
initialisers, spectral norm, the batch-norm constants and the conditioning.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

import keras

from tfgan_zoo.layers import ConditionalBatchNormalization, GlobalSumPooling2D, SelfAttention
from tfgan_zoo.layers._initializers import fresh_initializer
from tfgan_zoo.models.common import check_positive, maybe_spectral, projection_logits
from tfgan_zoo.value_checks import check_num_classes

# (h, block index, layer name) -> normalised h: how a generator conditions its block norms.
BlockNorm = Callable[[Any, int, str], Any]


@dataclass(frozen=True)
class GeneratorLayout:
    """A generator at one resolution: the input linear makes a bottom x bottom map of
    `start * width` channels; each upsampling block doubles the size to `blocks[i] * width`."""

    bottom: int
    start: int
    blocks: tuple[int, ...]

    def block_resolutions(self) -> list[int]:
        return [self.bottom * 2 ** (i + 1) for i in range(len(self.blocks))]


@dataclass(frozen=True)
class DiscriminatorLayout:
    """A discriminator at one resolution: (width multiplier, downsample) per block; the first
    is the optimized block and always downsamples."""

    blocks: tuple[tuple[int, bool], ...]

    def block_resolutions(self, resolution: int) -> list[int]:
        sizes, size = [], resolution
        for _, downsample in self.blocks:
            size = size // 2 if downsample else size
            sizes.append(size)
        return sizes


@dataclass(frozen=True)
class ConvStyle:
    """How a family makes its convolutions and linear layers: spectral norm and initialisers
    (names or configs; each layer gets a fresh instance). `residual_initializer` is for the 3x3
    convolutions inside the blocks (Chainer's GlorotUniform(sqrt 2) in sngan_projection),
    `initializer` for everything else (shortcuts, linears, embeddings, attention, output conv)."""

    spectral_norm: bool
    initializer: Any = "glorot_uniform"
    residual_initializer: Any = None  # None: the same as `initializer`

    def conv(self, filters: int, kernel_size: int, name: str, residual: bool = False) -> keras.layers.Layer:
        spec = self.residual_initializer if residual and self.residual_initializer is not None else self.initializer
        conv = keras.layers.Conv2D(filters, kernel_size, padding="same", kernel_initializer=fresh_initializer(spec), name=name)
        return maybe_spectral(conv, self.spectral_norm)

    def dense(self, units: int, name: str) -> keras.layers.Layer:
        dense = keras.layers.Dense(units, kernel_initializer=fresh_initializer(self.initializer), name=name)
        return maybe_spectral(dense, self.spectral_norm)

    def attention(self, name: str = "attention") -> SelfAttention:
        """SAGAN's block: query/key C/8, value C/2, 2x2 max-pooled keys and values, gamma 0."""
        return SelfAttention(
            pooling=True, spectral_norm=self.spectral_norm, kernel_initializer=fresh_initializer(self.initializer),
            name=name,
        )


@dataclass(frozen=True)
class BatchNormSpec:
    """A family's batch-norm constants (Keras momentum = the Chainer/TF decay = 1 - PyTorch momentum)."""

    momentum: float
    epsilon: float
    synchronized: bool = False

    def plain(self, name: str) -> keras.layers.BatchNormalization:
        return keras.layers.BatchNormalization(
            momentum=self.momentum, epsilon=self.epsilon, synchronized=self.synchronized, name=name
        )

    def per_class(self, num_classes: int, name: str) -> ConditionalBatchNormalization:
        return ConditionalBatchNormalization(
            num_classes, momentum=self.momentum, epsilon=self.epsilon, synchronized=self.synchronized, name=name
        )


def layout_for(layouts: dict, resolution: int) -> Any:
    if resolution not in layouts:
        raise ValueError(f"resolution must be one of {sorted(layouts)}, got {resolution!r}.")
    return layouts[resolution]


def check_attention_resolution(value: Optional[int], sizes: Sequence[int], network: str) -> None:
    """Attention goes after a block; the pooled keys need an even size."""
    available = sorted({size for size in sizes if size % 2 == 0})
    if value is not None and value not in available:
        raise ValueError(
            f"attention_resolution must be a feature-map size of this {network}, one of {available} "
            f"(or None for no attention), got {value!r}."
        )


# --- blocks --------------------------------------------------------------------------------------

def generator_block(h, filters: int, convs: ConvStyle, norm: Callable[[Any, str], Any], name: str):
    """Upsampling residual block; `norm(h, layer_name)` is the family's (conditional) batch norm."""
    residual = norm(h, f"{name}_bn1")
    residual = keras.layers.ReLU(name=f"{name}_relu1")(residual)
    residual = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"{name}_up")(residual)
    residual = convs.conv(filters, 3, f"{name}_conv1", residual=True)(residual)
    residual = norm(residual, f"{name}_bn2")
    residual = keras.layers.ReLU(name=f"{name}_relu2")(residual)
    residual = convs.conv(filters, 3, f"{name}_conv2", residual=True)(residual)
    shortcut = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"{name}_shortcut_up")(h)
    shortcut = convs.conv(filters, 1, f"{name}_shortcut_conv")(shortcut)
    return keras.layers.Add(name=name)([residual, shortcut])


def discriminator_block(
    h, filters: int, convs: ConvStyle, name: str, downsample: bool = True, preactivation: bool = True,
    wide: bool = True,
):
    """Residual block; `preactivation=False` is the optimized first block (pool, then 1x1 conv, in
    the shortcut). `wide`: hidden width = output width (SAGAN, BigGAN); else the input width
    (sngan_projection's Block; the optimized block always uses the output width)."""
    in_channels = h.shape[-1]
    hidden = filters if wide or not preactivation else in_channels
    residual = keras.layers.ReLU(name=f"{name}_relu0")(h) if preactivation else h
    residual = convs.conv(hidden, 3, f"{name}_conv1", residual=True)(residual)
    residual = keras.layers.ReLU(name=f"{name}_relu1")(residual)
    residual = convs.conv(filters, 3, f"{name}_conv2", residual=True)(residual)
    if downsample:
        residual = keras.layers.AveragePooling2D(2, name=f"{name}_pool")(residual)
    shortcut = h
    if downsample or not preactivation:
        if preactivation:
            shortcut = convs.conv(filters, 1, f"{name}_shortcut_conv")(shortcut)
            shortcut = keras.layers.AveragePooling2D(2, name=f"{name}_shortcut_pool")(shortcut)
        else:
            shortcut = keras.layers.AveragePooling2D(2, name=f"{name}_shortcut_pool")(shortcut)
            shortcut = convs.conv(filters, 1, f"{name}_shortcut_conv")(shortcut)
    elif in_channels != filters:
        shortcut = convs.conv(filters, 1, f"{name}_shortcut_conv")(shortcut)
    return keras.layers.Add(name=name)([residual, shortcut])


# --- trunks and whole networks ---------------------------------------------------------------------

def generator_trunk(
    h, layout: GeneratorLayout, width: int, channels: int, convs: ConvStyle, batch_norm: BatchNormSpec,
    block_norm: BlockNorm, attention_resolution: Optional[int],
):
    """Input linear -> reshape -> upsampling blocks (+ attention) -> BN-ReLU-conv3x3-tanh."""
    start = layout.start * width
    h = convs.dense(layout.bottom * layout.bottom * start, "project")(h)
    h = keras.layers.Reshape((layout.bottom, layout.bottom, start), name="reshape")(h)
    for index, (multiplier, size) in enumerate(zip(layout.blocks, layout.block_resolutions())):
        h = generator_block(
            h, multiplier * width, convs, lambda x, name, index=index: block_norm(x, index, name), f"block{index}"
        )
        if size == attention_resolution:
            h = convs.attention()(h)
    h = batch_norm.plain("output_bn")(h)
    h = keras.layers.ReLU(name="output_relu")(h)
    h = convs.conv(channels, 3, "to_images")(h)
    return keras.layers.Activation("tanh", dtype="float32", name="images")(h)


def resnet_generator(
    latent_dim: int, resolution: int, layout: GeneratorLayout, channels: int, width: int,
    num_classes: Optional[int], convs: ConvStyle, batch_norm: BatchNormSpec, attention_resolution: Optional[int],
    name: str,
) -> keras.Model:
    """z [, labels] -> images; per-class conditional batch norm in every block when conditional
    (Miyato & Koyama 2018; SAGAN), plain batch norm otherwise."""
    check_positive(latent_dim=latent_dim, channels=channels, width=width)
    check_num_classes(num_classes)
    check_attention_resolution(attention_resolution, layout.block_resolutions(), f"{resolution} px generator")
    z = keras.Input((latent_dim,), name="z")
    labels = keras.Input((), dtype="int32", name="labels") if num_classes is not None else None

    def block_norm(h, index: int, layer_name: str):
        if labels is None:
            return batch_norm.plain(layer_name)(h)
        return batch_norm.per_class(num_classes, layer_name)([h, labels])

    images = generator_trunk(z, layout, width, channels, convs, batch_norm, block_norm, attention_resolution)
    return keras.Model([z, labels] if labels is not None else z, images, name=name)


def resnet_discriminator(
    resolution: int, layout: DiscriminatorLayout, channels: int, width: int, num_classes: Optional[int],
    convs: ConvStyle, wide: bool, attention_resolution: Optional[int], output_bias: bool, name: str,
) -> keras.Model:
    """images [, labels] -> logits (batch, 1): blocks (+ attention after the first block of that
    size), ReLU, global sum pooling ('features'), linear output + projection with a spectrally
    normalised class embedding (Miyato & Koyama 2018, eq. 3)."""
    check_positive(channels=channels, width=width)
    check_num_classes(num_classes)
    sizes = layout.block_resolutions(resolution)
    check_attention_resolution(attention_resolution, sizes, f"{resolution} px discriminator")
    images = keras.Input((resolution, resolution, channels), name="images")
    labels = keras.Input((), dtype="int32", name="labels") if num_classes is not None else None
    h, attended = images, False
    for index, ((multiplier, downsample), size) in enumerate(zip(layout.blocks, sizes)):
        h = discriminator_block(
            h, multiplier * width, convs, f"block{index}", downsample=downsample, preactivation=index > 0, wide=wide
        )
        if size == attention_resolution and not attended:
            h, attended = convs.attention()(h), True
    h = keras.layers.ReLU(name="output_relu")(h)
    features = GlobalSumPooling2D(name="features")(h)
    logits = projection_logits(
        features, labels, num_classes, convs.spectral_norm, use_bias=output_bias,
        kernel_initializer=convs.initializer,
    )
    return keras.Model([images, labels] if labels is not None else images, logits, name=name)
