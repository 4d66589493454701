"""The embedded development broker: kombu's filesystem transport, safe with several processes.

kombu's own transport (`filesystem://`) lets a reader see a file before its writer has
finished it, and the worker dies on what it reads ("Unrecoverable error: JSONDecodeError"):

- a message is written in place: `open(name, "wb")` makes the file, visible to a worker's
  next directory listing, before the payload is in it (the writer's lock is advisory, and the
  reader never takes it). A web process preempted between the two, on a busy machine, is all
  it takes (issue #14, finding 14; kombu issue #1551 is the same symptom).
- an exchange's table (the control folder: the workers' remote control) is opened with
  `"wb"`, which empties it before the lock is taken, so two processes binding at once, or a
  reader in between, see an empty or interleaved table (treeverse/dvc-task#73).
- a consumed message is moved to the system's temporary folder before it is read; on another
  file system that move is a copy, which two consumers may both make.

Here a message is written under a name no reader matches and then renamed into place (a
rename is atomic: a reader sees all of the file or none of it); a table is changed only under
its lock, without emptying it first, and an empty one reads as empty; a consumed message is
renamed into a folder beside the queue (same file system: exactly one consumer wins the
rename), read and deleted. A message that still cannot be decoded (written by some other
producer) is set aside in `rejected/` with an error in the log, instead of stopping the
worker. Settings name this transport (CELERY_BROKER_TRANSPORT) for `filesystem://`.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
import uuid
from pathlib import Path
from queue import Empty
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)


class Channel(filesystem.Channel):
    # The signatures of kombu's own filesystem channel (which its stubs mark the same way).
    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:  # type: ignore[override]
        """Put a message onto `queue`: written aside, then renamed into place."""
        # kombu's name: readers take the oldest first (the monotonic clock is the machine's).
        name = f"{round(time.monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        folder = Path(self.data_folder_out)
        partial = folder / f".{name}.partial"  # matches no queue: readers pass it over
        try:
            partial.write_bytes(str_to_bytes(dumps(payload)))
            os.replace(partial, folder / name)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise ChannelError(f"Cannot add file {name!r} to directory") from error

    def _get(self, queue: str) -> dict[str, Any]:  # type: ignore[override]
        """Take the oldest message of `queue`, or raise Empty."""
        wanted = f"{queue}.msg"
        folder = Path(self.data_folder_in)
        taking = folder / "taken"
        taking.mkdir(exist_ok=True)
        for name in sorted(os.listdir(folder)):
            if name.partition(".")[2] != wanted:
                continue
            mine = taking / f"{uuid.uuid4().hex}-{name}"
            try:
                os.rename(folder / name, mine)  # atomic: one consumer gets it
            except OSError:
                continue  # another consumer took it first
            try:
                payload = mine.read_bytes()
                message: dict[str, Any] = loads(bytes_to_str(payload))
            except (OSError, ValueError) as error:
                rejected = folder / "rejected"
                rejected.mkdir(exist_ok=True)
                os.replace(mine, rejected / name)
                logger.error("broker: set aside %s, which is not a message: %s", name, error)
                continue
            mine.unlink()
            return message
        raise Empty()

    def _table_file(self, exchange: str) -> Path:
        """The file of an exchange's table: a name in the control folder, nowhere else."""
        file = Path(self.control_folder) / f"{exchange}.exchange"
        if not exchange or "/" in exchange or "\x00" in exchange or exchange.startswith("."):
            raise ChannelError(f"Invalid exchange name: {exchange!r}")
        return file

    def get_table(self, exchange: str) -> list[filesystem.exchange_queue_t]:  # type: ignore[override]
        try:
            with self._table_file(exchange).open("rb") as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
                text = bytes_to_str(handle.read())
        except FileNotFoundError:
            return []
        except OSError as error:
            raise ChannelError(f"Cannot open the table of {exchange}") from error
        # Empty: made by a binder that has not written it yet.
        return [filesystem.exchange_queue_t(*row) for row in (loads(text) if text else [])]

    def _queue_bind(self, exchange: str, routing_key: str, pattern: str | None, queue: str) -> None:
        self.control_folder.mkdir(exist_ok=True)
        row = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        try:
            # Opened without emptying it: only the lock's holder changes it.
            descriptor = os.open(self._table_file(exchange), os.O_RDWR | os.O_CREAT, 0o644)
            with os.fdopen(descriptor, "r+b", buffering=0) as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                text = bytes_to_str(handle.read())
                rows = [filesystem.exchange_queue_t(*r) for r in (loads(text) if text else [])]
                if row not in rows:
                    rows.insert(0, row)
                    handle.seek(0)
                    handle.write(str_to_bytes(dumps(rows)))
                    handle.truncate()
        except OSError as error:
            raise ChannelError(f"Cannot open the table of {exchange}") from error


class Transport(filesystem.Transport):
    Channel = Channel
