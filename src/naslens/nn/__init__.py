"""Shared network building blocks (torch is imported only when these modules are)."""
