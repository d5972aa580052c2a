"""What the analysis knows of the PyTorch API, by qualified name."""

from __future__ import annotations

import re

# in-place tensor methods and their function forms live in their own module; ``api.is_inplace_*`` reads them here
from .inplace_api import NOT_DATA_WRITES, is_inplace_function, is_inplace_function_form, is_inplace_method  # noqa: F401

# matplotlib's part of the library knowledge lives in its own module; ``api.MPL_*`` reads it here
from .plotting_api import MPL_AXES, MPL_AXES_ARRAYS, MPL_AXES_FACTORIES, MPL_FIGURE, MPL_FIGURE_FACTORIES, PYPLOT_DATA_FUNCTIONS  # noqa: F401

#: Text that any source of a grad tensor the analysis knows must contain
#: (factories, Parameters, parameters(), modules from torch.nn, pretrained and
#: hub models, modules recognised by .eval()/.train()): a sound pre-parse check.
GRAD_SOURCE_TEXT = (
    "requires_grad",
    "Parameter",
    "parameters",
    "nn",
    "Model",
    "Module",
    "Mixin",
    "from_pretrained",
    "create_model",
    "torchvision",
    "hub",
    "eval",
    "train",
)

#: Aliases that name the same object as a canonical qualified name.
CANONICAL = {
    "torch.nn.parameter.Parameter": "torch.nn.Parameter",
    "torch.nn.modules.module.Module": "torch.nn.Module",
    "torch.autograd.variable.Variable": "torch.autograd.Variable",
    "torch.functional.F": "torch.nn.functional",  # torch/functional.py imports it: `from torch.functional import F`
    "torch.autograd.grad_mode.no_grad": "torch.no_grad",
    "torch.autograd.no_grad": "torch.no_grad",
    "torch.autograd.grad_mode.enable_grad": "torch.enable_grad",
    "torch.autograd.enable_grad": "torch.enable_grad",
    "torch.autograd.grad_mode.set_grad_enabled": "torch.set_grad_enabled",
    "torch.autograd.set_grad_enabled": "torch.set_grad_enabled",
    "torch.autograd.grad_mode.inference_mode": "torch.inference_mode",
    "torch.autograd.inference_mode": "torch.inference_mode",
    "pytorch_lightning.LightningModule": "lightning.pytorch.LightningModule",
    "lightning.LightningModule": "lightning.pytorch.LightningModule",
    "pytorch_lightning.core.LightningModule": "lightning.pytorch.LightningModule",
    "lightning.pytorch.core.LightningModule": "lightning.pytorch.LightningModule",
}


def canonical(qual: str) -> str:
    return CANONICAL.get(qual, qual)


#: Constructors that copy their data into a new tensor (cutting the graph).
TENSOR_CONSTRUCTORS = frozenset(
    {"torch.tensor", "torch.as_tensor", "torch.asarray", "torch.Tensor"}
    | {
        f"torch.{prefix}{kind}Tensor"
        for prefix in ("", "cuda.")
        for kind in ("Float", "Double", "Half", "BFloat16", "Long", "Int", "Short", "Byte", "Char", "Bool")
    }
)

#: Factories whose result is a leaf; a leaf requiring grad with ``requires_grad=True``.
FACTORIES = frozenset(
    "torch." + name
    for name in (
        "tensor as_tensor asarray randn rand zeros ones empty full arange linspace logspace eye "
        "randint randperm normal randn_like rand_like zeros_like ones_like empty_like full_like "
        "randint_like from_numpy empty_strided tril_indices triu_indices"
    ).split()
) | TENSOR_CONSTRUCTORS

#: Factories that make a new tensor on the default device when given no ``device=`` (the CPU unless
#: the program changes it); ``torch.from_numpy`` always does.
DEVICE_DEFAULT_FACTORIES = frozenset(
    "torch." + name
    for name in "tensor randn rand zeros ones empty full arange linspace logspace eye randint randperm normal".split()
)
#: Calls that change the default device of later factories.
DEFAULT_DEVICE_SETTERS = ("set_default_device", "set_default_tensor_type")

GRAD_MODE_CONTEXTS = {
    "torch.no_grad": False,
    "torch.inference_mode": False,
    "torch.enable_grad": True,
}

#: torch functions whose result never requires grad: integer or boolean results (only a floating
#: point or complex tensor can require grad: ``torch.multinomial(probs, 1)`` gives indices) and a
#: few float ones autograd does not track (``histc``).
NON_DIFFERENTIABLE_FUNCTIONS = frozenset(
    "torch." + name
    for name in (
        "argmax argmin argsort argwhere eq ne lt le gt ge isclose isnan isinf isfinite "
        "isneginf isposinf isreal nonzero count_nonzero bucketize searchsorted any all "
        "bincount histc unique unique_consecutive logical_and logical_or logical_not logical_xor randint randperm "
        "multinomial isin signbit greater greater_equal less less_equal not_equal "
        # an int64 tensor, whatever gives the number of classes (``F.one_hot(pred, logits.shape[1])``)
        "nn.functional.one_hot"
    ).split()
)

#: torch functions whose result is not a tensor (``torch.load`` gives back whatever was
#: saved: a whole model, a dict of them; ``torch.compile`` a wrapped module).
NON_TENSOR_FUNCTIONS = frozenset(
    "torch." + name
    for name in (
        "load save manual_seed seed initial_seed is_tensor is_storage is_floating_point is_complex is_nonzero "
        "is_grad_enabled numel equal allclose get_default_dtype set_default_dtype compile device autocast "
        "set_num_threads get_num_threads use_deterministic_algorithms set_printoptions set_rng_state typename "
        "finfo iinfo broadcast_shapes set_float32_matmul_precision get_float32_matmul_precision "
        "set_anomaly_enabled is_anomaly_enabled no_grad enable_grad inference_mode set_grad_enabled"
    ).split()
)

#: Namespaces whose lower-case functions are differentiable tensor ops.
DIFFERENTIABLE_NAMESPACES = ("torch", "torch.nn.functional", "torch.linalg", "torch.fft", "torch.special")

#: Functions of other libraries that return a differentiable function of their first argument:
#: Horovod's collectives wrap autograd functions ("If your input tensor requires gradients,
#: then calling this function will allow gradients to be computed and backpropagated"), as do
#: the ``torch.distributed.nn`` ones. The in-place ``allreduce_`` and ``torch.distributed.all_reduce``
#: are not among them.
DIFFERENTIABLE_LIBRARY_FUNCTIONS = frozenset(
    {
        "horovod.torch.allreduce",
        "horovod.torch.allgather",
        "horovod.torch.broadcast",
        "horovod.torch.alltoall",
        "horovod.torch.mpi_ops.allreduce",
        "horovod.torch.mpi_ops.allgather",
        "horovod.torch.mpi_ops.broadcast",
        "torch.distributed.nn.all_reduce",
        "torch.distributed.nn.all_gather",
        "torch.distributed.nn.functional.all_reduce",
        "torch.distributed.nn.functional.all_gather",
    }
)

#: Tensor methods and attributes whose result is not a tensor.
TENSOR_NON_TENSOR_METHODS = frozenset(
    (
        "item tolist numpy size dim ndimension numel nelement is_contiguous data_ptr get_device "
        "element_size stride storage untyped_storage equal backward register_hook is_floating_point "
        "is_complex is_set_to is_shared is_pinned nbytes itemsize __len__ tobytes"
    ).split()
)
TENSOR_NON_TENSOR_ATTRS = frozenset(
    "shape dtype device ndim is_leaf requires_grad grad_fn is_cuda layout names itemsize nbytes "
    "is_sparse is_quantized is_meta output_nr _version".split()
)
#: Tensor methods whose result never requires grad (integer or boolean results, fresh tensors).
#: Not ``bernoulli``: its float sample is tracked (``BernoulliBackward0``, zero gradient), so
#: ``x.bernoulli().numpy()`` raises like any graph tensor's.
TENSOR_NO_GRAD_METHODS = frozenset(
    (
        "detach argmax argmin argsort argwhere eq ne lt le gt ge isnan isinf isfinite nonzero any all "
        "long int short bool byte char sign_ bucketize new_zeros new_ones new_empty new_full "
        "new_tensor multinomial count_nonzero isclose isneginf isposinf isreal signbit logical_and "
        "logical_or logical_not logical_xor greater greater_equal less less_equal not_equal"
    ).split()
)
#: Position-finding ops: their result never requires grad, whatever they are given. Given a value that
#: may carry the graph (a model output of unknown structure), it is a cut: a loss made from it alone
#: (``F.l1_loss(torch.argmax(out["x"], 1).float(), gt)``) cannot be backpropagated (BOP19_CDPN #4).
POSITION_OPS = frozenset({"argmax", "argmin", "argsort", "argwhere"})


def may_carry_graph(value) -> bool:
    """A tensor (or a value of unknown kind) not known to be cut from every graph."""
    return value.kind in ("tensor", "unknown") and (value.grad is not False or value.cut)


#: Reductions that return ``(values, indices)`` when given a dimension (``x.max(1)``); the
#: indices never require grad. ``max``/``min`` with a tensor argument are elementwise instead.
VALUES_INDICES_WITH_DIM = frozenset({"max", "min", "median", "nanmedian"})
#: ... and those that always return ``(values, indices)``.
VALUES_INDICES = frozenset({"mode", "kthvalue", "sort", "topk", "cummax", "cummin"})
#: Factories whose result is a float tensor of the default dtype (float32) unless ``dtype=`` says otherwise.
FLOAT_FACTORIES = frozenset("torch." + name for name in "randn rand zeros ones empty normal".split())
#: ``torch.<name>`` dtypes and the legacy tensor types, by the dtype they name.
FLOAT_DTYPES = {
    "torch.float32": "float32",
    "torch.float": "float32",
    "torch.float64": "float64",
    "torch.double": "float64",
    "torch.float16": "float16",
    "torch.half": "float16",
    "torch.bfloat16": "bfloat16",
    "torch.FloatTensor": "float32",
    "torch.DoubleTensor": "float64",
    "torch.HalfTensor": "float16",
    "torch.BFloat16Tensor": "bfloat16",
}
#: Conversion methods to a fixed floating dtype.
DTYPE_METHODS = {"float": "float32", "double": "float64", "half": "float16", "bfloat16": "bfloat16"}
#: Tensor methods that may return their receiver unchanged (same device / dtype / layout).
TENSOR_MAYBE_IDENTITY_METHODS = frozenset(
    "to cuda cpu type float double half bfloat16 contiguous type_as pin_memory coalesce".split()
)
#: Out-of-place tensor methods that only return a new tensor (``x.float()``, ``h.detach()``):
#: as a statement of its own, such a call does nothing.
TENSOR_RESULT_ONLY_METHODS = frozenset(
    (
        "detach clone to cuda cpu float double half bfloat16 long int short bool byte char contiguous type "
        "type_as view view_as reshape reshape_as squeeze unsqueeze flatten t transpose permute expand "
        "add sub mul div clamp clip abs neg exp log sqrt pow sigmoid tanh relu masked_fill index_fill "
        "scatter scatter_add"
    ).split()
)
#: Methods that, among the objects training code holds, only ``torch.Tensor`` has, and that return a
#: tensor computed from the receiver: no ``numpy.ndarray``, ``nn.Module``, builtin container or
#: ``pandas`` object has them. ``r = x.unsqueeze(0)`` on a value of unknown kind therefore establishes
#: that ``r`` is a tensor (whether it requires grad, and is a leaf, stays unknown: ``x``'s is).
#: Not ``reshape``/``view``/``transpose``/``squeeze``/``sum``/``clip`` (ndarray has them), not ``to``,
#: ``cuda``, ``float``, ``requires_grad_`` (``nn.Module`` has them), not ``backward`` (loss objects of
#: one's own have it).
TENSOR_ONLY_RESULT_METHODS = frozenset(
    "unsqueeze permute contiguous masked_fill expand_as view_as reshape_as type_as unflatten narrow index_select".split()
)
#: Tensor methods whose result shares its tensor's storage.
VIEW_METHODS = frozenset(
    "view view_as reshape flatten squeeze unsqueeze transpose permute narrow select expand t diagonal unflatten "
    "movedim swapaxes unbind split chunk as_strided".split()
)
#: View methods that copy when their receiver is not contiguous (``w.T.reshape(-1)``).
COPYING_RESHAPES = frozenset({"reshape", "reshape_as", "flatten"})


#: ``torch.nn`` classes that hold no parameters (their output requires grad only
#: if an input does).
PARAMETER_FREE_MODULES = re.compile(
    r"(.*Loss|ReLU\d*|LeakyReLU|PReLU_never|ELU|SELU|CELU|GELU|SiLU|Mish|Sigmoid|Tanh|Softmax\d*d?|"
    r"LogSoftmax|Softmin|Softplus|Softsign|Hardtanh|Hardswish|Hardsigmoid|Tanhshrink|Threshold|"
    r"Softshrink|Hardshrink|LogSigmoid|GLU|Identity|Flatten|Unflatten|Dropout\w*|AlphaDropout|"
    r"\w*Pool\dd|Upsample\w*|PixelShuffle|PixelUnshuffle|ZeroPad\dd|ConstantPad\dd|ReflectionPad\dd|"
    r"ReplicationPad\dd|CircularPad\dd|ChannelShuffle|CosineSimilarity|PairwiseDistance|Fold|Unfold)"
)

_INPUT_SAVING_MODULES = re.compile(r"(Lazy)?(Linear|Bilinear|Conv\dd|ConvTranspose\dd)")


_WEIGHTED_LAYERS = re.compile(r"(Lazy)?(Linear|Bilinear|Conv\dd|ConvTranspose\dd|Embedding|BatchNorm\dd|LayerNorm|GroupNorm)")


def has_weight_and_bias(qual: str) -> bool:
    """Layers whose ``weight`` (and ``bias``, unless turned off) are parameters that require grad."""
    return bool(qual) and bool(_WEIGHTED_LAYERS.fullmatch(qual.rsplit(".", 1)[-1]))


def saves_input_for_weights(qual: str) -> bool:
    """``nn.Linear`` / ``nn.Conv*``: the layer keeps its input to compute its weight's gradient."""
    return bool(qual) and bool(_INPUT_SAVING_MODULES.fullmatch(qual.rsplit(".", 1)[-1]))


#: ``torch.nn`` modules that return tuples rather than one tensor.
TUPLE_OUTPUT_MODULES = frozenset({"RNN", "LSTM", "GRU", "MultiheadAttention"})

NON_MODULE_NN_CLASSES = frozenset(
    {"Parameter", "ParameterList", "ParameterDict", "Buffer", "Module", "init", "functional", "utils"}
)

#: mmengine's model base (mmdet, mmpretrain, mmseg...): its loops run ``val_step``/``test_step``, which
#: call ``forward(mode='predict')`` and so ``predict``, under ``@torch.no_grad()``
MMENGINE_MODELS = frozenset(
    {"mmengine.model.BaseModel", "mmengine.model.base_model.BaseModel", "mmengine.model.base_model.base_model.BaseModel"}
)
MMENGINE_NO_GRAD_METHODS = frozenset({"predict", "val_step", "test_step"})

#: Base classes (beyond ``torch.nn.*``) whose subclasses are ``nn.Module``s.
MODULE_BASES = frozenset(
    {
        "lightning.pytorch.LightningModule",
        "transformers.PreTrainedModel",
        "transformers.modeling_utils.PreTrainedModel",
        "diffusers.ModelMixin",
        "diffusers.models.modeling_utils.ModelMixin",
    }
)

#: ``X.from_pretrained(...)`` builds an ``nn.Module`` when X names a model class.
_PRETRAINED_MODEL = re.compile(r"(Model|For[A-Z]|^Autoencoder|^UNet|^VQ|^ControlNet|Transformer\dD)")
_PRETRAINED_NOT_MODEL = re.compile(r"(Tokenizer|Processor|Config|Pipeline|Scheduler|Extractor|Dataset)")


def is_pretrained_model_class(name: str) -> bool:
    return bool(_PRETRAINED_MODEL.search(name)) and not _PRETRAINED_NOT_MODEL.search(name)


#: Calls that build models.
MODEL_FACTORIES = frozenset({"timm.create_model", "torchvision.models.get_model", "torch.hub.load"})

#: Iterating these gives batches of data: tensors (or tuples and dicts of them) that do not
#: require grad. A dataset whose items carry a graph cannot go through worker processes
#: ("Cowardly refusing to serialize non-leaf tensor which requires_grad") and is not how
#: data is fed in practice.
DATA_LOADERS = frozenset({"torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"})
#: Progress bars that iterate what they wrap and give its elements.
ITERATION_WRAPPERS = frozenset({"tqdm.tqdm", "tqdm.auto.tqdm", "tqdm.notebook.tqdm", "tqdm.std.tqdm"})


#: losses whose target is a tensor of class indices (integers never require grad)
INDEX_TARGET_LOSSES = frozenset({"torch.nn.functional.nll_loss"})


def is_loss(qual: str) -> bool:
    """A torch loss, as a class (``nn.CrossEntropyLoss``) or a function (``F.mse_loss``): its first
    argument is the prediction that the loss differentiates."""
    name = qual.rsplit(".", 1)[-1]
    if qual.startswith("torch.nn.functional."):
        return "loss" in name or name in ("cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div")
    return is_nn_module_class(qual) and name.endswith("Loss")


def is_nn_module_class(qual: str) -> bool:
    if not qual.startswith("torch.nn."):
        return False
    rest = qual[len("torch.nn."):]
    if "." in rest:
        # torch.nn.modules.linear.Linear and the like
        if not rest.startswith("modules."):
            return False
        rest = rest.rsplit(".", 1)[1]
    return rest[:1].isupper() and rest not in NON_MODULE_NN_CLASSES


def nn_module_has_params(qual: str) -> bool | None:
    name = qual.rsplit(".", 1)[1]
    if PARAMETER_FREE_MODULES.fullmatch(name):
        return False
    if name in ("Sequential", "ModuleList", "ModuleDict"):
        return None
    return True


#: Functions that build a new module over a model's own sub-modules, in the model's mode (torchvision
#: traces it with the mode ``model.training`` has then): its parameters are the model's, its output a
#: dict of intermediate features.
FEATURE_EXTRACTORS = frozenset({"torchvision.models.feature_extraction.create_feature_extractor"})
#: Calls that return their module argument wrapped (``nn.DataParallel(model)``,
#: ``DistributedDataParallel(model, device_ids=...)``, ``torch.compile(model)``) or itself
#: (``SyncBatchNorm.convert_sync_batchnorm(model)``, ``nn.utils.spectral_norm(conv)``): the same
#: parameters, the same outputs.
MODULE_WRAPPERS = frozenset(
    {
        "torch.nn.DataParallel",
        "torch.nn.parallel.DataParallel",
        "torch.nn.parallel.data_parallel.DataParallel",
        "torch.nn.parallel.DistributedDataParallel",
        "torch.nn.parallel.distributed.DistributedDataParallel",
        "torch.compile",
        # a scripted module shares the module's parameters and sub-modules (`scripted.conv1`)
        "torch.jit.script",
        "torch.nn.SyncBatchNorm.convert_sync_batchnorm",
        # weight reparametrizations return the module they were given, its weight now computed from
        # the parameters they register on it (`weight_orig`, ...): still trained, still saved by a
        # layer's forward, so a step() before a backward through it still breaks that backward
        "torch.nn.utils.spectral_norm",
        "torch.nn.utils.spectral_norm.spectral_norm",
        "torch.nn.utils.weight_norm",
        "torch.nn.utils.weight_norm.weight_norm",
        "torch.nn.utils.parametrizations.spectral_norm",
        "torch.nn.utils.parametrizations.weight_norm",
        "torch.nn.utils.parametrizations.orthogonal",
    }
)


#: Mixed-precision loss scalers: ``scaler.scale(loss).backward()``, ``scaler.step(optimizer)``.
GRAD_SCALERS = frozenset(
    {"torch.amp.GradScaler", "torch.cuda.amp.GradScaler", "torch.cpu.amp.GradScaler", "torch.amp.grad_scaler.GradScaler"}
)


#: numpy functions that a bare tensor answers with its own method (``np.mean(t)`` calls
#: ``t.mean(axis=...)`` and raises a TypeError, not the requires-grad RuntimeError).
NUMPY_TENSOR_METHOD_DISPATCH = frozenset(
    "mean sum max min std var prod amax amin all any cumsum cumprod ptp average median float64 ndim shape size".split()
)
#: other deep-learning frameworks (and runtimes): what their functions make is never a torch
#: module or tensor, whatever its methods are called (an MNN module has ``train(False)`` and
#: ``forward``, a Paddle layer ``eval()``)
OTHER_FRAMEWORKS = frozenset(
    "MNN paddle paddlenlp tensorflow keras tf_keras jax flax haiku mindspore oneflow jittor mxnet "
    "megengine chainer theano onnxruntime tensorrt openvino tflite_runtime".split()
)
#: Functions that clip gradients in place, by a threshold on their size.
GRADIENT_CLIPPERS = frozenset(
    f"torch.nn.utils.{module}{name}"
    for module in ("", "clip_grad.")
    for name in ("clip_grad_norm_", "clip_grad_value_", "clip_grad_norm")
)


#: A ``torch.distributions`` object: what its methods and properties give, relative to
#: the graph of the tensors it was built from. ``sample()`` runs under no_grad (REINFORCE
#: needs ``log_prob``); ``rsample()`` is the reparameterised, differentiable draw.
DISTRIBUTION_GRAD_METHODS = frozenset({"log_prob", "rsample", "entropy", "cdf", "icdf", "perplexity"})
DISTRIBUTION_SAMPLERS = frozenset({"sample", "sample_n", "enumerate_support"})
DISTRIBUTION_GRAD_ATTRIBUTES = frozenset(
    {"mean", "mode", "stddev", "variance", "probs", "logits", "loc", "scale", "concentration", "rate"}
)
KL_DIVERGENCE = frozenset({"torch.distributions.kl_divergence", "torch.distributions.kl.kl_divergence"})
_NOT_DISTRIBUTIONS = frozenset({"Distribution", "ExponentialFamily", "TransformedDistribution"})


def is_distribution_class(qual: str) -> bool:
    if not qual.startswith("torch.distributions."):
        return False
    name = qual.rsplit(".", 1)[1]
    return (
        name[:1].isupper()
        and name not in _NOT_DISTRIBUTIONS
        and not name.endswith(("Transform", "Constraint"))
        and ".transforms." not in qual
        and ".constraints." not in qual
    )


#: ``getattr(torch.optim, name)`` with a name chosen at run time: some optimizer class
SOME_OPTIMIZER = "torch.optim.<optimizer>"
#: the ``qual`` of an optimizer built here over parameters that are not some modules' whole sets
#: (``Adam([log_alpha])``, ``Adam(filter(lambda p: p.ndim > 1, G.parameters()))``): which ones is
#: what the code chose, so what its step updates is not inferred (``TrainingEffects._step_of_unknown_owner``)
SELECTED_PARAMETERS = "<selected parameters>"


def is_optimizer_class(qual: str) -> bool:
    if qual == SOME_OPTIMIZER:
        return True
    if not qual.startswith("torch.optim."):
        return False
    rest = qual[len("torch.optim."):]
    return "." not in rest and rest[:1].isupper() and rest != "Optimizer"


#: Ops (tensor methods and torch / functional functions, by short name) that save
#: nothing of their tensor inputs for backward.
SAVES_NOTHING = frozenset(
    (
        "add sub neg sum mean view view_as reshape reshape_as flatten squeeze unsqueeze transpose permute "
        "expand expand_as contiguous clone t narrow select chunk split unbind repeat flip roll masked_fill "
        "index_select gather cat concat concatenate stack hstack vstack pad dropout to cuda cpu float double "
        "half bfloat16 type type_as detach zero_ fill_ add_ sub_ copy_ masked_fill_ index_fill_ unflatten "
        "movedim moveaxis swapaxes squeeze_ unsqueeze_ tile broadcast_to diagonal tril triu "
        # (a cumulative sum's backward sums the gradient back; a ranking keeps only its indices: the
        # grad_fn's one saved tensor is ``_saved_indices``, torch 2.13)
        "cumsum sort topk kthvalue"
    ).split()
)
#: Ops that save their own output (so an in-place write to it breaks backward).
SAVES_OUTPUT = frozenset("sigmoid tanh exp softmax log_softmax relu sqrt rsqrt exp2".split())
OUTPUT_SAVING_MODULES = frozenset({"Sigmoid", "Tanh", "ReLU", "Softmax", "LogSoftmax"})


def saving_of(name: str) -> str:
    if name in SAVES_OUTPUT:
        return "output"
    if name in SAVES_NOTHING:
        return "none"
    return "inputs"


#: nn.Module's own methods: what they do is known, even where a subclass overrides one.
MODULE_API = frozenset(
    """parameters named_parameters buffers named_buffers modules children named_modules named_children
    eval train zero_grad requires_grad_ to cuda cpu float double half bfloat16 type apply forward
    state_dict load_state_dict register_buffer register_parameter add_module""".split()
)

#: Containers of modules: indexing or iterating one gives a member module.
MODULE_CONTAINERS = frozenset({"Sequential", "ModuleList", "ModuleDict"})
#: the containers a slice of which is a container of the same kind (``model.layers[:4]``)
SLICEABLE_CONTAINERS = frozenset({"Sequential", "ModuleList"})

#: The last part of the names of torch's grad-mode context managers and decorators.
GRAD_MODE_NAMES = frozenset({"no_grad", "enable_grad", "inference_mode", "set_grad_enabled"})


#: objects whose ``.backward(loss)`` backpropagates the loss and whose ``.prepare(...)`` /
#: ``.setup(...)`` give back what they are given, wrapped (Accelerate, Fabric, DeepSpeed engines)
BACKWARD_RUNNERS = ("accelerator", "fabric", "engine")


def is_backward_runner(path) -> bool:
    """``accelerator``, ``self.fabric``, ``model_engine``: by the name of the object."""
    return isinstance(path, str) and any(part in path.rsplit(".", 1)[-1].lower() for part in BACKWARD_RUNNERS)
