"""Spectral normalisation with the gradient through sigma (Miyato et al., 2018)."""
from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf
from keras import ops

# Keras has no public way to read a float32 variable as float32 inside a mixed-precision
# layer call (reads are cast to the compute dtype); its own layers use this scope.
from keras.src.backend import AutocastScope

_TRANSPOSED_CONVOLUTIONS = (keras.layers.Conv1DTranspose, keras.layers.Conv2DTranspose,
                            keras.layers.Conv3DTranspose)
_OUTPUT_LAST = (keras.layers.Dense, keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D)
SUPPORTED_LAYERS = (*_OUTPUT_LAST, *_TRANSPOSED_CONVOLUTIONS, keras.layers.Embedding)


def l2_normalize(x: Any, eps: float) -> Any:
    """x / (||x|| + eps), the normalisation of the reference Chainer code (max_sv.py)."""
    return x / (ops.sqrt(ops.sum(ops.square(x))) + eps)


def power_iteration(matrix: Any, u: Any, iterations: int, eps: float) -> tuple[Any, Any]:
    """(u, v) after `iterations` steps of the power method on `matrix` (fan, out), from u (out,):
    v = W u / ||W u||, u = W^T v / ||W^T v||. sigma_hat = v^T W u estimates the largest singular
    value (Miyato et al. 2018, algorithm 1, with W = matrix^T of shape (out, fan))."""
    v = None
    for _ in range(iterations):
        v = l2_normalize(ops.tensordot(matrix, u, axes=1), eps)
        u = l2_normalize(ops.tensordot(v, matrix, axes=1), eps)
    return u, v


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class SpectralNormalization(keras.layers.Wrapper):
    """Run a Dense, Conv (1-3D), Conv Transpose (1-3D) or Embedding layer with W / sigma_hat(W).

    Miyato, Kataoka, Koyama, Yoshida, "Spectral Normalization for Generative Adversarial
    Networks", ICLR 2018, section 2.1 and eq. 12. The wrapped layer's raw weight W stays the
    trainable variable and is never assigned; every call computes, with M the (fan, out) matrix
    of W (the paper's W^T),

        v = M u / ||M u||,  u' = M^T v / ||M^T v||   (power_iterations times, no gradient)
        sigma_hat = v^T M u'                         (differentiable in W)
        output = layer(x) with the weight W / sigma_hat

    so the gradient w.r.t. W carries the -(grad . W_sn) u v^T / sigma term of eq. 12, as in the
    reference Chainer (sngan_projection) and BigGAN-PyTorch code. Keras's own
    ``keras.layers.SpectralNormalization`` instead assigns W / sigma into the kernel, which drops
    that term. The weight is reshaped to a matrix (-1, out) with the output axis last (a
    transposed convolution's kernel (..., out, in) is transposed first); an Embedding's
    (num, dim) matrix has "out" = num, as both references' u has num entries.

    State: ``u`` (out,), the persistent power-iteration vector, and ``sigma``, the last
    sigma_hat of a training call (1 before the first, as BigGAN's logging buffer). Both are
    non-trainable float32 variables, updated only in training calls (inference uses the stored
    u and changes nothing, as BigGAN; the Chainer code also updates u at test time); under
    tf.distribute every replica computes the same u from the same weights and the first
    replica's value is written (aggregation "only_first_replica"). The power iteration and sigma
    are float32 under a mixed-precision policy; the wrapped layer runs in its compute dtype.

    Args:
        layer: the layer to normalise (built or not).
        power_iterations: power-method steps per call (the paper uses 1 per training step).
        eps: added to norms in the normalisation (1e-12 in both references).
    """

    def __init__(self, layer: keras.layers.Layer, power_iterations: int = 1, eps: float = 1e-12,
                 **kwargs: Any) -> None:
        if not isinstance(layer, SUPPORTED_LAYERS):
            names = ", ".join(cls.__name__ for cls in SUPPORTED_LAYERS)
            raise ValueError(f"SpectralNormalization wraps one of {names}; got {type(layer).__name__}.")
        if isinstance(power_iterations, bool) or int(power_iterations) != power_iterations or power_iterations < 1:
            raise ValueError(f"SpectralNormalization expects power_iterations to be a positive integer, "
                             f"got {power_iterations!r}.")
        if not float(eps) > 0:
            raise ValueError(f"SpectralNormalization expects eps > 0, got {eps!r}.")
        kwargs.setdefault("dtype", layer.dtype_policy)
        super().__init__(layer, **kwargs)
        self.power_iterations = int(power_iterations)
        self.eps = float(eps)

    def build(self, input_shape: Any) -> None:
        super().build(input_shape)
        weight = self.weight_variable
        if not any(weight is variable for variable in self.layer.weights):
            raise ValueError(f"SpectralNormalization needs {self.layer.name}'s weight to be a plain variable "
                             f"(no LoRA or quantisation), got {type(weight).__name__}.")
        out = weight.shape[self._output_axis()]
        replicated = {"trainable": False, "autocast": False, "dtype": "float32",
                      "aggregation": "only_first_replica"}
        self.u = self.add_weight(name="u", shape=(out,), initializer="random_normal", **replicated)
        self.sigma = self.add_weight(name="sigma", shape=(), initializer="ones", **replicated)

    @property
    def weight_variable(self) -> keras.Variable:
        """The wrapped layer's raw weight: its kernel, or an Embedding's embeddings."""
        if isinstance(self.layer, keras.layers.Embedding):
            return self.layer.embeddings
        return self.layer.kernel

    def _output_axis(self) -> int:
        if isinstance(self.layer, _TRANSPOSED_CONVOLUTIONS):
            return -2  # kernel (..., out, in)
        if isinstance(self.layer, keras.layers.Embedding):
            return 0  # embeddings (num, dim)
        return -1  # kernel (..., in, out)

    def _as_matrix(self, weight: Any) -> Any:
        """The weight as a (fan, out) matrix, the output axis last."""
        weight = ops.moveaxis(weight, self._output_axis(), -1)
        return ops.reshape(weight, (-1, weight.shape[-1]))

    @staticmethod
    def _stored_values(variables: list) -> list:
        """The variables' values in their own dtype (not cast to a mixed policy's compute dtype)."""
        with AutocastScope(None):
            return [tf.convert_to_tensor(variable.value) for variable in variables]

    def normalized_weight(self, training: bool = False) -> Any:
        """W / sigma_hat in the wrapped layer's layout (float32); a training call updates u and sigma."""
        weight = ops.cast(self._stored_values([self.weight_variable])[0], "float32")
        matrix = self._as_matrix(weight)
        u, v = power_iteration(ops.stop_gradient(matrix), ops.convert_to_tensor(self.u), self.power_iterations,
                               self.eps)
        u, v = ops.stop_gradient(u), ops.stop_gradient(v)
        sigma = ops.sum(v * ops.tensordot(matrix, u, axes=1))
        if training:
            self.u.assign(u)
            self.sigma.assign(ops.stop_gradient(sigma))
        return weight / sigma

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        normalized = self.normalized_weight(training=bool(training))
        weight = self.weight_variable

        def values(variables: list) -> list:
            return [normalized if variable is weight else value
                    for variable, value in zip(variables, self._stored_values(variables))]

        # The wrapped layer's own call with W / sigma_hat in place of W (read under this call's
        # autocast scope, so it runs in the compute dtype); nothing is assigned.
        outputs, _ = self.layer.stateless_call(values(self.layer.trainable_variables),
                                               values(self.layer.non_trainable_variables), inputs)
        return outputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "power_iterations": self.power_iterations, "eps": self.eps}

    @classmethod
    def from_config(cls, config: dict, custom_objects: Any = None) -> "SpectralNormalization":
        return super().from_config(dict(config), custom_objects)  # Keras's Wrapper pops "layer" from it


def spectral_sigmas(model: keras.layers.Layer) -> list:
    """The `sigma` variables (last training sigma_hat) of every SpectralNormalization in `model`."""
    return [layer.sigma for layer in model._flatten_layers(include_self=True, recursive=True)
            if isinstance(layer, SpectralNormalization) and layer.built]
