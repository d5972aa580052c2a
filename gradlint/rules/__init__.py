"""The rule catalog: one module per rule."""

from .grd101_tensor_from_graph_values import TensorFromGraphValues
from .grd201_inplace_on_leaf import InplaceOnLeaf
from .grd203_data_mutation import DataMutation
from .grd301_grad_of_non_leaf import GradOfNonLeaf
from .grd401_module_requires_grad_attr import ModuleRequiresGradAttr
from .grd402_misspelled_requires_grad import MisspelledRequiresGrad
from .grd403_requires_grad_comparison import RequiresGradComparison
from .grd404_head_frozen import HeadFrozen
from .grd405_unfrozen_backbone import UnfrozenBackbone

ALL_RULES = (
    TensorFromGraphValues,
    InplaceOnLeaf,
    DataMutation,
    GradOfNonLeaf,
    ModuleRequiresGradAttr,
    MisspelledRequiresGrad,
    RequiresGradComparison,
    HeadFrozen,
    UnfrozenBackbone,
)

BY_CODE = {rule.code: rule for rule in ALL_RULES}
