"""The rule catalog: one module per rule."""

from .grd100_unused_noqa import UnusedNoqa
from .grd101_tensor_from_graph_values import TensorFromGraphValues
from .grd102_rewrap_hides_cut import RewrapHidesCut
from .grd103_backward_on_detached import BackwardOnDetached
from .grd201_inplace_on_leaf import InplaceOnLeaf
from .grd202_inplace_on_saved_tensor import InplaceOnSavedTensor
from .grd203_data_mutation import DataMutation
from .grd204_data_attribute import DataAttribute
from .grd205_optimizer_step_before_backward import OptimizerStepBeforeBackward
from .grd301_grad_of_non_leaf import GradOfNonLeaf
from .grd302_leaf_lost_by_op import LeafLostByOp
from .grd303_leaf_rebound import LeafRebound
from .grd304_requires_grad_on_data import RequiresGradOnData
from .grd401_module_requires_grad_attr import ModuleRequiresGradAttr
from .grd402_misspelled_requires_grad import MisspelledRequiresGrad
from .grd403_requires_grad_comparison import RequiresGradComparison
from .grd404_head_frozen import HeadFrozen
from .grd405_unfrozen_backbone import UnfrozenBackbone
from .grd406_freeze_undone import FreezeUndone
from .grd407_nothing_trainable import NothingTrainable
from .grd501_missing_zero_grad import MissingZeroGrad
from .grd502_loss_history_accumulation import LossHistoryAccumulation
from .grd503_numpy_on_grad_tensor import NumpyOnGradTensor
from .grd504_backward_twice import BackwardTwice
from .grd505_eval_without_no_grad import EvalWithoutNoGrad
from .grd506_deprecated_variable import DeprecatedVariable
from .grd507_discarded_tensor_result import DiscardedTensorResult
from .grd508_zero_grad_before_step import ZeroGradBeforeStep
from .grd509_clip_scaled_gradients import ClipScaledGradients
from .grd510_eval_mode_not_restored import EvalModeNotRestored

ALL_RULES = (
    UnusedNoqa,
    TensorFromGraphValues,
    RewrapHidesCut,
    BackwardOnDetached,
    InplaceOnLeaf,
    InplaceOnSavedTensor,
    DataMutation,
    DataAttribute,
    OptimizerStepBeforeBackward,
    GradOfNonLeaf,
    LeafLostByOp,
    LeafRebound,
    RequiresGradOnData,
    ModuleRequiresGradAttr,
    MisspelledRequiresGrad,
    RequiresGradComparison,
    HeadFrozen,
    UnfrozenBackbone,
    FreezeUndone,
    NothingTrainable,
    MissingZeroGrad,
    LossHistoryAccumulation,
    NumpyOnGradTensor,
    BackwardTwice,
    EvalWithoutNoGrad,
    DeprecatedVariable,
    DiscardedTensorResult,
    ZeroGradBeforeStep,
    ClipScaledGradients,
    EvalModeNotRestored,
)

BY_CODE = {rule.code: rule for rule in ALL_RULES}
