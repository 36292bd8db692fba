"""NAS-Bench-Macro: architectures and isomorphism (``arch``), the benchmark network (``network``), analytic
params/FLOPs (``complexity``), the chain supernet (``supernet``) and the space (``space``). Importing the package
registers the space ``nb-macro``; torch is imported only by the network modules."""

from naslens.spaces.nb_macro.arch import CHOICES, FIRST_OF_STAGE, NUM_LAYERS, SIZE, STAGES, MacroArch
from naslens.spaces.nb_macro.space import INFO, MacroSpace

__all__ = ["CHOICES", "FIRST_OF_STAGE", "INFO", "NUM_LAYERS", "SIZE", "STAGES", "MacroArch", "MacroSpace"]
