"""The one base class of the rule errors services raise, so one handler (eventapp/problems.py)
can answer any of them: a page with the form kept, a flash and a redirect, or JSON.

Each error type declares, next to the service whose rules it reports:

- `Code`, an enum of its codes: a code is a member (`RegistrationError.Code.FULL`), never a
  string, so a typo fails where it is written (AttributeError), not with a fallback message;
- `MESSAGES`, its one message table: every code has exactly one message, a lazy string
  (`_l(...)`, formatted with the error's `info`) or a function of `info` for plurals
  (`lambda info: ngettext(...)`); a type whose table misses a code cannot be defined;
- `STATUS`: the HTTP status of the codes that are not a state conflict (409 by default):
  400/422 for invalid input, 404 for what the actor may not know exists.

An error may name the input it is about (`field`, the service's parameter name, e.g.
"capacity"): a form with that field shows the message under it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

Message = Any  # a lazy string, or a callable(info) -> str


class ServiceError(Exception):
    """A business rule refused the change. Nothing the service did may be kept: the request
    that gets one rolls back (see DEVELOPERS.md, "One transaction per request")."""

    kind: ClassVar[str]  # "registration": the JSON code is "registration.full"
    Code: ClassVar[type[enum.Enum]]
    MESSAGES: ClassVar[Mapping[enum.Enum, Message]]
    STATUS: ClassVar[Mapping[enum.Enum, int]] = {}
    DEFAULT_STATUS: ClassVar[int] = 409

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "Code" not in cls.__dict__:
            return  # an intermediate base
        if not (isinstance(cls.Code, type) and issubclass(cls.Code, enum.Enum)):
            raise TypeError(f"{cls.__name__}.Code must be an Enum")
        if not isinstance(cls.__dict__.get("kind"), str):
            raise TypeError(f"{cls.__name__} must name its kind")
        codes = set(cls.Code)
        missing = codes - set(cls.MESSAGES)
        extra = set(cls.MESSAGES) - codes
        if missing or extra:
            raise TypeError(
                f"{cls.__name__}.MESSAGES must have one message per code "
                f"(missing: {sorted(map(str, missing))}, unknown: {sorted(map(str, extra))})"
            )
        for code, status in cls.STATUS.items():
            if code not in codes or not 400 <= status < 500:
                raise TypeError(f"{cls.__name__}.STATUS: bad entry {code!r}: {status!r}")

    def __init__(self, code: enum.Enum, *, field: str | None = None, **info):
        code_type = type(self).__dict__.get("Code") or getattr(type(self), "Code", None)
        if code_type is None or not isinstance(code, code_type):
            raise TypeError(
                f"{type(self).__name__} takes a {type(self).__name__}.Code member, not {code!r}"
            )
        super().__init__(str(code.value))
        self.code = code
        self.field = field
        self.info = info
        # Set by the view helpers of eventapp/problems.py: how the handler answers.
        self.form = None
        self.render: Callable[[int], Any] | None = None
        self.redirect_to: str | None = None

    @property
    def status(self) -> int:
        return self.STATUS.get(self.code, self.DEFAULT_STATUS)

    @property
    def message(self) -> str:
        """The message, translated in the current locale."""
        entry = self.MESSAGES[self.code]
        if callable(entry):
            return str(entry(self.info))
        text = str(entry)
        return text % self.info if self.info and "%(" in text else text

    @property
    def qualified_code(self) -> str:
        return f"{self.kind}.{self.code.value}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code.value!r})"
