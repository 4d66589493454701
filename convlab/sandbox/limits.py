"""The resource limits of one sandboxed run."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Limits", "MiB"]

MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Resource limits of one run. The wall limit is at least twice the CPU limit."""

    cpu_seconds: float = 10.0
    wall_seconds: float = 0.0  # 0: twice the CPU limit plus one second
    memory_bytes: int = 1024 * MiB
    processes: int = 64
    file_bytes: int = 16 * MiB
    open_files: int = 64
    tmp_bytes: int = 64 * MiB
    kept_output_bytes: int = 32 * 1024  # of each of stdout and stderr, half head, half tail
    max_output_bytes: int = 8 * MiB  # more than this on stdout + stderr stops the run
    max_channel_bytes: int = 64 * MiB

    @property
    def wall(self) -> float:
        """The wall-clock limit in seconds."""
        return max(self.wall_seconds, 2 * self.cpu_seconds + 1.0)
