"""Search spaces. ``get_space("nb201")`` returns the NAS-Bench-201 topology space."""

from naslens.spaces._base import SPACES, SearchSpace, get_space
from naslens.spaces.nb201 import NB201Arch, NB201Space

__all__ = ["SPACES", "NB201Arch", "NB201Space", "SearchSpace", "get_space"]
