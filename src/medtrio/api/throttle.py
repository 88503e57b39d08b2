"""Slows down password guessing: after `LIMIT` failed sign-ins for one username (from any address), or
`IP_LIMIT` from one address (higher: a ward's computers may share one address), within `WINDOW_S`,
further attempts are refused until the oldest failure leaves the window (429).

Kept in process memory: a restart clears it, and each server process counts on its own, which is enough
to make guessing slow without adding a store. Every refusal and failure is in the audit log anyway.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from medtrio.errors import MedtrioError

LIMIT = 5
IP_LIMIT = 50
WINDOW_S = 15 * 60


class TooManyAttempts(MedtrioError):
    status_code = 429


class SignInThrottle:
    def __init__(self, limit: int = LIMIT, ip_limit: int = IP_LIMIT, window_s: float = WINDOW_S) -> None:
        self.limit, self.ip_limit, self.window_s = limit, ip_limit, window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures[key]
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def check(self, username: str, ip: str | None) -> None:
        """Raise `TooManyAttempts` when this username or address has failed too often lately."""
        now = time.monotonic()
        with self._lock:
            for key, limit in ((f"u:{username.lower()}", self.limit), (f"ip:{ip}", self.ip_limit)):
                q = self._recent(key, now)
                if len(q) >= limit:
                    wait = int(self.window_s - (now - q[0])) // 60 + 1
                    raise TooManyAttempts(f"Too many failed sign-ins. Try again in {wait} minutes.")

    def failed(self, username: str, ip: str | None) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (f"u:{username.lower()}", f"ip:{ip}"):
                self._recent(key, now).append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(f"u:{username.lower()}", None)
