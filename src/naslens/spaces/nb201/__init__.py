"""NAS-Bench-201 (NATS-Bench topology): architectures and encodings (``arch``), the benchmark network
(``network``, ``ops``), analytic params/FLOPs (``complexity``), cell depth (``depth``), the weight-sharing supernet
(``supernet``) and the space object (``space``). Importing the package registers the space ``nb201``; torch is
imported only by the network modules."""

from naslens.spaces.nb201.arch import (
    CONV_OPS,
    EDGES,
    NASLIB_EDGES,
    NASLIB_OPS,
    NUM_EDGES,
    NUM_NODES,
    OPS,
    SIZE,
    NB201Arch,
    canonical,
    has_effective_conv,
    live_edges,
)
from naslens.spaces.nb201.space import INFO, NB201Space
from naslens.types import ArchFormatError

__all__ = [
    "CONV_OPS",
    "EDGES",
    "INFO",
    "NASLIB_EDGES",
    "NASLIB_OPS",
    "NUM_EDGES",
    "NUM_NODES",
    "OPS",
    "SIZE",
    "ArchFormatError",
    "NB201Arch",
    "NB201Space",
    "canonical",
    "has_effective_conv",
    "live_edges",
]
