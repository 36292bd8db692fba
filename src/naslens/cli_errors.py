"""The command line's error contract, in one place.

A user error — any :class:`~naslens.types.UserError` (each layer has its own: arch format, store, data, ground
truth, configuration, …) or an operating-system error about a file the user named (missing, a folder where a file
was expected, no permission, not UTF-8) — is printed as **one line on stderr**, ``naslens <command>: error:
<message>``, and the command exits with status 2, without a traceback. Anything else is a bug and keeps its
traceback (exit 1).

:func:`guard_app` wraps every command of a Typer app (sub-groups included) once, at mount time, so a command module
raises its layer's error and never formats it itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NoReturn

import typer

from naslens.types import UserError

OS_USER_ERRORS: tuple[type[Exception], ...] = (
    FileNotFoundError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
    FileExistsError,
    UnicodeDecodeError,
)
"""Operating-system errors that come from a path the user gave (reported like a :class:`UserError`)."""
USER_ERRORS: tuple[type[Exception], ...] = (UserError, *OS_USER_ERRORS)
"""Everything :func:`guarded` reports as a one-line user error."""


def one_line(error: BaseException | str) -> str:
    """The message of ``error`` on one line (whitespace runs collapsed; a ``KeyError``'s quotes dropped; an OS
    error's file name kept).

    Example:
        >>> one_line(KeyError("unknown space 'nb999'"))
        "unknown space 'nb999'"
        >>> one_line(FileNotFoundError(2, "No such file or directory", "archs.txt"))
        'No such file or directory: archs.txt'
    """
    if isinstance(error, str):
        text = error
    elif isinstance(error, KeyError) and error.args:
        text = str(error.args[0])
    elif isinstance(error, OSError) and error.filename is not None:
        text = f"{error.strerror or error}: {error.filename}"
    elif isinstance(error, UnicodeDecodeError):
        text = f"not UTF-8 text ({error.reason} at byte {error.start})"
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.split())


def fail(message: BaseException | str, command: str = "naslens") -> NoReturn:
    """Print ``<command>: error: <message>`` as one line on stderr and exit with status 2."""
    typer.echo(f"{command}: error: {one_line(message)}", err=True)
    raise typer.Exit(2)


def guarded(fn: Callable[..., Any], command: str) -> Callable[..., Any]:
    """``fn`` with its user errors converted by :func:`fail` (the signature Typer reads is kept)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except USER_ERRORS as e:
            fail(e, command)

    wrapper.__naslens_guarded__ = True  # type: ignore[attr-defined]
    return wrapper


def guard_app(app: typer.Typer, prefix: str = "naslens") -> None:
    """Wrap every command of ``app`` and of its sub-groups with :func:`guarded` (idempotent)."""
    for cmd in app.registered_commands:
        callback = cmd.callback
        if callback is None or getattr(callback, "__naslens_guarded__", False):
            continue
        name = cmd.name or callback.__name__.replace("_", "-")
        cmd.callback = guarded(callback, f"{prefix} {name}")
    for group in app.registered_groups:
        if group.typer_instance is not None:
            guard_app(group.typer_instance, f"{prefix} {group.name}")
