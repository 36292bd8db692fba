"""Search with estimators: one algorithm per module, a search registry, trajectories kept in the score store.

See :mod:`naslens.search._base` (registry, :class:`SearchInfo`, :class:`SearchResult`) and
:mod:`naslens.search.journal` (the resumable trajectory of a run).
"""

from naslens.search._base import (
    SEARCH_KINDS,
    SEARCHES,
    SearchError,
    SearchInfo,
    SearchResult,
    create_search,
    list_searches,
    register_search,
    search_info,
)
from naslens.search.journal import JournalError, SearchJournal, Step, stored_runs

__all__ = [
    "SEARCHES",
    "SEARCH_KINDS",
    "JournalError",
    "SearchError",
    "SearchInfo",
    "SearchJournal",
    "SearchResult",
    "Step",
    "create_search",
    "list_searches",
    "register_search",
    "search_info",
    "stored_runs",
]
