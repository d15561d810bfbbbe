"""Errors a scorer raises. The worker maps them to failure classes.

- SubmissionRejected: the team's upload is unusable as a whole (a ``user`` failure).
- SubmissionTimedOut: the submission ran past its wall-clock limit (a ``timeout`` failure).
- BundleError: the organizer's bundle or model set is broken (an ``infra`` failure;
  never the team's fault, never counted against its quota).
"""


class SubmissionRejected(Exception):
    """The submission as a whole is invalid. The message is shown to the team verbatim,
    so it must say what is wrong and how to fix it."""


class BundleError(Exception):
    """The hidden bundle or model set is missing, corrupt or inconsistent."""


class SubmissionTimedOut(SubmissionRejected):
    """The submission (e.g. a team's container) exceeded its wall-clock limit."""
