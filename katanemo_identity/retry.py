"""When a failed request is sent again, and how long to wait first.

urllib3's ``Retry`` does the work: counting attempts, exponential backoff with
jitter, honouring ``Retry-After``, and telling apart a connection that could
not be made (the request never left) from one lost after the request was
sent. ``IdentityRetry`` adds only what ``Retry`` cannot express:

* a POST (create key, invite user) is resent on 429, which the API sends
  before doing any work, and otherwise only when the connection could not be
  established; never after a 5xx, a reset or a read timeout, any of which may
  follow a create that was applied;
* redirects (which a GET follows, up to ``MAX_REDIRECTS``) are counted
  apart from failures, so following one never spends a retry, and
  ``retries=0`` still follows them; ``retries`` bounds the failures retried,
  whatever their kind;
* ``Retry-After`` is capped at ``Configuration.retry_after_max`` on every
  urllib3 2 release, and a value that does not parse means "use the backoff"
  rather than an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from urllib3.util.retry import Retry

from katanemo_identity.exceptions import parse_retry_after

if TYPE_CHECKING:
    from typing_extensions import Self

#: Methods resent after a lost connection or a retryable status: the API
#: documents them as idempotent.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})

#: Statuses that mean "try again": timeout, rate limit, and transient server faults.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

#: The only status on which a POST is resent: the API rejects before acting.
POST_RETRY_STATUSES = frozenset({429})

#: How many redirects a GET follows; other methods follow none.
MAX_REDIRECTS = 5


class IdentityRetry(Retry):
    """urllib3's ``Retry`` with the Identity API's rules for POST and ``Retry-After``."""

    def __init__(
        self,
        *args: Any,
        retry_after_cap: float = 30.0,
        failures_allowed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after_cap = retry_after_cap
        self.failures_allowed = failures_allowed

    def new(self, **kwargs: Any) -> Self:
        renewed = super().new(**kwargs)
        renewed.retry_after_cap = self.retry_after_cap
        renewed.failures_allowed = self.failures_allowed
        return renewed

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method.upper() == "POST":
            # Whether budget is left is for ``increment`` to decide.
            return status_code in POST_RETRY_STATUSES
        return super().is_retry(method, status_code, has_retry_after)

    @property
    def failures(self) -> int:
        """Failures retried so far: every attempt in the history that was not a redirect."""
        return sum(1 for entry in self.history if entry.redirect_location is None)

    def is_exhausted(self) -> bool:
        if super().is_exhausted():
            return True
        # ``total`` is left unset so redirects do not count; failures of every
        # kind are counted here instead.
        return self.failures_allowed is not None and self.failures > self.failures_allowed

    def parse_retry_after(self, retry_after: str) -> float:
        seconds = parse_retry_after(retry_after)
        if seconds is None:
            return 0.0  # unreadable: fall back to the exponential backoff
        return min(seconds, self.retry_after_cap)


def build_retry(
    attempts: int, backoff_factor: float, backoff_max: float, retry_after_cap: float
) -> IdentityRetry:
    """Return the retry policy for up to ``attempts`` retries of one request."""
    return IdentityRetry(
        # Redirects are limited by ``redirect`` alone; failures of every kind
        # (connect, read, status) together by ``failures_allowed``.
        total=None,
        failures_allowed=attempts,
        # Errors that are neither "could not connect" nor "lost the answer"
        # (a TLS failure, say) do not get better by trying again.
        other=0,
        redirect=MAX_REDIRECTS,
        allowed_methods=IDEMPOTENT_METHODS,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff_factor,
        backoff_max=backoff_max,
        backoff_jitter=backoff_factor,
        raise_on_status=False,
        raise_on_redirect=False,
        respect_retry_after_header=True,
        retry_after_cap=retry_after_cap,
    )
