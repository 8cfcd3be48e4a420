"""Errors that users should see as a short ephemeral message instead of a traceback."""

from __future__ import annotations

from collections.abc import Sequence

from discord import app_commands

from bot.text import safe


class UserFacingError(Exception):
    """Anything whose message is safe and useful to show to the person who asked."""

    refunds_cooldown = False
    """True when nothing was done even if work had begun (e.g. a refused file): the try
    should not count against the person's cooldown, so they can fix it and retry."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(UserFacingError):
    """A thread, person or comment that does not exist (here), with close matches to offer."""

    def __init__(self, what: str, query: str, suggestions: Sequence[str] = ()) -> None:
        self.what = what
        self.query = query
        self.suggestions = tuple(suggestions)
        # Query and suggestions are user input and thread text: shown literally, never pinging.
        message = f"No {what} matches “{safe(query)}”."
        if self.suggestions:
            message += " Did you mean: " + ", ".join(f"“{safe(s)}”" for s in self.suggestions) + "?"
        super().__init__(message)


class NotAllowed(UserFacingError):
    """The person may not do this here (missing permission or role, wrong place)."""


class Busy(UserFacingError):
    """The thing is already running, or the person has to wait (cooldowns)."""


class Refused(app_commands.CheckFailure):
    """A command's check said no (missing permission or role). Raised before the command
    runs, so nothing was done and the person's cooldown use is given back."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
