"""Search spaces behind one protocol (:class:`SearchSpace`, :class:`~naslens.types.SpaceInfo`).

``get_space("nb201")`` / ``get_space("nb-macro")`` return the registered spaces, ``list_spaces()`` their
``SpaceInfo``; ``space.supernet(mode)`` builds a weight-sharing :class:`Supernet` (``"path"``) or a mixed-op
:class:`MixedSupernet` in a :class:`MixedState` (``"mixed"``); :func:`check_space` is the contract a space must pass
(run by naslens' tests over every registered space). Each space is one package (``spaces/nb201/``,
``spaces/nb_macro/``); generic layers use only this module.
"""

from naslens.spaces._protocol import (
    SPACES,
    MixedSupernet,
    SearchSpace,
    Supernet,
    check_supernet_mode,
    get_space,
    list_spaces,
    load_builtin_spaces,
)
from naslens.spaces.check import check_space
from naslens.spaces.coded import CodedSpace
from naslens.spaces.mixed_state import MixedState, MixedStateMixin
from naslens.types import ArchFormatError, NetConfigError, SpaceCapabilityError, SpaceInfo

__all__ = [
    "SPACES",
    "ArchFormatError",
    "CodedSpace",
    "MixedState",
    "MixedStateMixin",
    "MixedSupernet",
    "NetConfigError",
    "SearchSpace",
    "SpaceCapabilityError",
    "SpaceInfo",
    "Supernet",
    "check_space",
    "check_supernet_mode",
    "get_space",
    "list_spaces",
    "load_builtin_spaces",
]
