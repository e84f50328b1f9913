"""StyleGAN training (Karras, Laine, Aila, "A Style-Based Generator Architecture for Generative
Adversarial Networks", CVPR 2019): style mixing regularisation and the tracked w_avg, in the
training generator's forward pass, after the official G_style (training/networks_stylegan.py).

Every training call of the generator (the discriminator's fakes and the generator's update, as
the official D_logistic_simplegp and G_logistic_nonsaturating both call G with is_training=True):

    w       = mapping(z [, labels])
    w_avg  <- beta w_avg + (1 - beta) mean_batch(w)            (beta 0.995; in the generator)
    with probability style_mixing_prob (0.9), for the whole batch:
        w2 = mapping(z2 [, labels]), z2 fresh; crossover k ~ U{1, ..., active_layers - 1}
        styles = w on the layers below k, w2 from k on
    else styles = w on every layer
    images  = synthesis(styles)                                  (fresh noise)

A conditional model (num_classes) maps both latents with the batch's labels, as the official
G_style maps latents2 with labels_in: mixing changes styles within a class, never the class.

One coin and one crossover per minibatch, drawn from the model's seed stream, as the official
tf.random_uniform([]) draws (the same on every replica under tf.distribute). Sampling has no
mixing and no truncation unless asked: `generate(..., psi=0.7)` truncates in W (FID is measured
at psi = 1, as the paper), `generate_mixed(z_coarse, z_fine, crossover)` mixes two latents.

StyleGAN is a ProgressiveGAN (Karras et al. 2018; the official StyleGAN training loop is the
PGGAN one): the schedule grows the synthesis network and the discriminator stage by stage
(`synthesis_at`, the official lod), the reals are faded with them, and the crossover is drawn
over the style layers of the resolutions grown so far (the official cur_layers = num_layers -
2 floor(lod)). A schedule whose start is its final resolution trains at a fixed resolution (the
official `-nogrowing`). The mapping network, mixing and w_avg run outside the level switch: only
the synthesis network and D grow.

The objective, the regulariser and the optimisers are ordinary compile arguments (the presets use
the official ones: non-saturating loss, R1 with gamma 10, i.e. weight 5, on every step,
Adam(1e-3, 0, 0.99, eps 1e-8), generator EMA).
"""
from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo.layers.w_average import check_cutoff
from tfgan_zoo.models.stylegan import (
    StyleParts, check_crossover, check_noise, check_psi, num_style_layers, style_parts,
)
from tfgan_zoo.training.progressive import GrowthSchedule, ProgressiveGAN

Tensor = tf.Tensor


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class StyleGAN(ProgressiveGAN):
    """A progressive GAN with a style-based generator (tfgan_zoo.models.stylegan_generator) and
    the PGGAN discriminator, trained with style mixing regularisation while it tracks w_avg
    (Karras et al. 2019, sec. 3.1, app. B).

    Args (besides ProgressiveGAN's: schedule, reset_optimizers; num_classes for a conditional
    generator, whose mapping network embeds the label, with a projection discriminator):
        style_mixing_prob: probability that a training batch mixes two latents, in [0, 1]
            (official 0.9; 0 disables the regulariser).
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        latent_dim: int,
        num_classes: Optional[int] = None,
        seed: Optional[int] = None,
        schedule: Union[GrowthSchedule, dict, None] = None,
        reset_optimizers: bool = True,
        style_mixing_prob: float = 0.9,
        **kwargs: Any,
    ):
        if not 0.0 <= float(style_mixing_prob) <= 1.0:  # also rejects NaN
            raise ValueError(f"style_mixing_prob must be in [0, 1], got {style_mixing_prob!r}.")
        style_parts(generator)  # a style-based generator, or a clear error
        super().__init__(generator, discriminator, latent_dim, num_classes=num_classes, seed=seed,
                         schedule=schedule, reset_optimizers=reset_optimizers, **kwargs)
        parts = style_parts(generator)
        z_width = parts.mapping.inputs[0].shape[-1]
        if z_width != self.latent_dim:
            raise ValueError(f"latent_dim={latent_dim} does not match the mapping network's z of width {z_width}.")
        self.style_mixing_prob = float(style_mixing_prob)
        self._active_layers = tf.constant([num_style_layers(r) for r in self.schedule.resolutions], tf.int32)

    def get_config(self) -> dict:
        return {**super().get_config(), "style_mixing_prob": self.style_mixing_prob}

    @property
    def num_style_layers(self) -> int:
        """Style inputs of the synthesis network (2 log2(resolution) - 2)."""
        return style_parts(self.generator).num_layers

    def active_style_layers(self) -> Tensor:
        """The style layers of the resolutions grown so far (at the stage of this step): all of
        them at a fixed resolution (the official cur_layers)."""
        return tf.gather(self._active_layers, self.stage)

    # --- training -------------------------------------------------------------------------------

    def mixing_crossover(self, batch_size: Tensor) -> Tensor:
        """(batch,) int32: with probability style_mixing_prob a crossover k ~ U{1, ..., active - 1}
        for the whole batch, else `active` (no mixing) -- the official mixing_cutoff."""
        active = tf.cast(self.active_style_layers(), tf.int32)
        mix = keras.random.uniform((), seed=self.seed_generator) < self.style_mixing_prob
        layer = keras.random.randint((), 1, active, seed=self.seed_generator, dtype="int32")
        return tf.fill(tf.reshape(batch_size, (1,)), tf.where(mix, layer, active))

    def training_styles(self, z: Tensor, labels: Optional[Tensor], parts: StyleParts,
                        track_average: bool = True) -> Tensor:
        """The per-layer styles of one training call: w_avg tracked from w, then style mixing."""
        w = parts.map(z, labels, training=True)
        if track_average:
            parts.w_average.update(w)
        if self.style_mixing_prob == 0.0:
            return parts.styles(w)
        batch = tf.shape(z)[0]
        w_mix = parts.map(self.sample_latents(batch), labels, training=True)
        return parts.styles(w, w_mix, self.mixing_crossover(batch))

    # --- the generator's forward pass -------------------------------------------------------------

    def generate_from(
        self,
        z: Tensor,
        labels: Optional[Tensor],
        training: bool,
        use_ema: bool = False,
        psi: Any = None,
        truncation_cutoff: Optional[int] = None,
        noise: Optional[str] = None,
        z_mix: Optional[Tensor] = None,
        crossover: Any = None,
    ) -> Tensor:
        """Training: mixing and w_avg tracking (`training_styles`), fresh noise. Otherwise the
        styles of z (mixed with z_mix at `crossover` when given), truncated by `psi`, with
        `noise` "random" / "fixed" / "none" (default: the layers' own, "random")."""
        generator = self.ema_generator if (use_ema and self.ema_generator is not None) else self.generator
        parts = style_parts(generator)
        if training:
            styles = self.training_styles(z, labels, parts, track_average=generator is self.generator)
        else:
            w = parts.map(z, labels)
            w_mix = None if z_mix is None else parts.map(z_mix, labels)
            styles = parts.styles(w, w_mix, crossover, psi, truncation_cutoff)
        return self._at_level(lambda r, a: parts.synthesize(styles, training, noise, r, a))

    # --- sampling -----------------------------------------------------------------------------------

    def _sampling_options(self, psi: Any, truncation_cutoff: Optional[int], noise: str) -> dict:
        values = check_psi(psi)
        if values.ndim != 0:
            raise ValueError(f"psi must be one number in [0, 1] here, got an array of shape {values.shape}.")
        if truncation_cutoff is not None:
            check_cutoff(truncation_cutoff, self.num_style_layers)
        psi = None if float(values) == 1.0 else float(values)
        return {"psi": psi, "truncation_cutoff": truncation_cutoff, "noise": check_noise(noise)}

    def generate(
        self,
        num_or_z: Union[int, np.ndarray, Tensor],
        labels: Optional[Union[int, Sequence[int], np.ndarray]] = None,
        seed: Optional[int] = None,
        use_ema: bool = True,
        batch_size: int = 256,
        psi: float = 1.0,
        truncation_cutoff: Optional[int] = None,
        noise: str = "random",
        stage: str = "current",
        truncation: Optional[float] = None,
    ) -> np.ndarray:
        """ProgressiveGAN.generate with the truncation trick in W: psi in [0, 1] (1: none, the
        default and what FID measures; 0.7 is the paper's) on the first `truncation_cutoff` style
        layers (default: the generator's), and `noise` "random" (fresh, as the official sampling),
        "fixed" (the stored buffers: the output depends on z only) or "none". `truncation` is
        the z-space truncation of every GAN (redrawn |z_i|; tfgan_zoo.latent), not this one."""
        options = self._sampling_options(psi, truncation_cutoff, noise)
        return super().generate(num_or_z, labels=labels, seed=seed, use_ema=use_ema, batch_size=batch_size,
                                stage=stage, truncation=truncation, **options)

    def generate_mixed(
        self,
        z_coarse: Any,
        z_fine: Any,
        crossover: Any,
        labels: Any = None,
        psi: float = 1.0,
        noise: str = "fixed",
        use_ema: bool = True,
    ) -> np.ndarray:
        """Images styled by z_coarse on the layers below `crossover` (one per sample or one for
        all, in [0, num_style_layers]) and by z_fine from it on (Karras et al. 2019, fig. 3);
        fixed noise by default, so only the styles differ between images."""
        z_coarse, z_fine = (np.asarray(z, dtype=np.float32) for z in (z_coarse, z_fine))
        for name, z in (("z_coarse", z_coarse), ("z_fine", z_fine)):
            if z.ndim != 2 or z.shape[1] != self.latent_dim or z.shape[0] == 0:
                raise ValueError(f"Expected {name} of shape (n, {self.latent_dim}) with n >= 1, got shape {z.shape}.")
        if z_coarse.shape != z_fine.shape:
            raise ValueError(f"z_coarse and z_fine must have the same shape, got {z_coarse.shape} and {z_fine.shape}.")
        crossover = check_crossover(crossover, self.num_style_layers)
        if crossover.ndim == 1 and crossover.shape[0] != z_coarse.shape[0]:
            raise ValueError(f"Expected one crossover or {z_coarse.shape[0]}, got {crossover.shape[0]}.")
        options = self._sampling_options(psi, None, noise)
        crossover = np.broadcast_to(crossover, (z_coarse.shape[0],))
        images = self.generate_from(z_coarse, self._labels_for(labels, z_coarse.shape[0]), training=False,
                                    use_ema=use_ema, z_mix=z_fine, crossover=crossover, **options)
        return np.asarray(images, dtype=np.float32)
