"""When to try a request again: exponential backoff with jitter, bounded in count and time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: `push --help` reads this module's defaults
    import random
    from datetime import datetime

TOO_MANY_REQUESTS = 429
MIN_ATTEMPT_TIMEOUT = 0.05  # seconds: the shortest attempt the budget's rest can leave


def is_retryable_status(status: int) -> bool:
    """Rate limiting and server-side failures are worth another attempt; other 4xx are answers."""
    return status == TOO_MANY_REQUESTS or status >= 500


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """At most `attempts` tries of one request, all within `budget` seconds.

    The n-th wait is base_delay * 2**(n-1), capped at max_delay, with "equal jitter" (half
    fixed, half random) so that parallel workers hitting the same outage spread out.
    """

    attempts: int = 5
    base_delay: float = 0.25
    max_delay: float = 8.0
    budget: float = 60.0

    def longest_backoff(self) -> float:
        """The most our own waits between attempts add up to (no Retry-After)."""
        return sum(min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
                   for attempt in range(1, self.attempts))

    def longest_request(self, timeout: float) -> float:
        """The most one request can take, retries included: every attempt its whole
        `timeout`, every wait its longest (a Retry-After is obeyed up to `max_delay`), and
        all of it within the budget (the last attempt starts inside it, with what is left)."""
        waits = (self.attempts - 1) * self.max_delay
        return min(self.attempts * timeout + waits, self.budget + MIN_ATTEMPT_TIMEOUT)

    def delay(self, attempt: int, rng: random.Random) -> float:
        """The wait after failed attempt number `attempt` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if absent
    or unreadable. A date in the past means 0."""
    if value is None or not value.strip():
        return None
    from datetime import UTC, datetime
    from email.utils import parsedate_to_datetime

    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
