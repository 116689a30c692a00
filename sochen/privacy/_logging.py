"""Keep personal data out of logs: a logging filter that redacts every record it sees."""

from __future__ import annotations

import logging

from ._redaction import redact

__all__ = ["RedactingFilter", "install_log_redaction"]

_DONE = "_sochen_redacted"


class RedactingFilter(logging.Filter):
    """A :class:`logging.Filter` that replaces personal data in a record with typed placeholders.

    The message is formatted with its arguments first (so data passed as ``%s`` arguments is caught
    too), redacted, and stored back with no arguments; exception and stack text are redacted the
    same way. The record is changed in place, so every handler after this one sees the redacted
    form. It never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact `record` in place; always keep it."""
        if getattr(record, _DONE, False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not let the raw arguments through
            message = f"{record.msg} {record.args!r}"
        record.msg = redact(message).text
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text).text
        if record.stack_info:
            record.stack_info = redact(record.stack_info).text
        setattr(record, _DONE, True)
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> RedactingFilter:
    """Attach one :class:`RedactingFilter` to every handler of `logger` (the root logger by default).

    Handler filters also see records that propagate from child loggers, which logger filters do
    not. Handlers added later are not covered: call this again after configuring logging. Calling
    it twice does not add a second filter.
    """
    target = logger if logger is not None else logging.getLogger()
    existing = next(
        (f for h in target.handlers for f in h.filters if isinstance(f, RedactingFilter)),
        None,
    )
    flt = existing if isinstance(existing, RedactingFilter) else RedactingFilter()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(flt)
    return flt
