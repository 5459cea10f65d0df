"""Who is signed in: the last time each user did something, kept in the server's memory."""

import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Seen:
    user_id: str
    role: str
    last_seen: float


class Presence:
    """Thread-safe; the dashboard keeps one per server (sessions run in threads)."""

    def __init__(self) -> None:
        self._seen: dict[str, Seen] = {}
        self._lock = threading.Lock()

    def touch(self, user_id: str, role: str, now: float | None = None) -> None:
        with self._lock:
            self._seen[user_id] = Seen(user_id, role, time.time() if now is None else now)

    def leave(self, user_id: str) -> None:
        with self._lock:
            self._seen.pop(user_id, None)

    def active(self, idle_seconds: float, now: float | None = None) -> list[Seen]:
        """Users seen within idle_seconds, most recent first."""
        now = time.time() if now is None else now
        with self._lock:
            seen = [s for s in self._seen.values() if now - s.last_seen <= idle_seconds]
        return sorted(seen, key=lambda s: s.last_seen, reverse=True)
