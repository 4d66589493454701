"""Copy the files under MEDIA_ROOT into the configured default storage (an S3-compatible bucket),
each one checked by its SHA-256 digest read back from the storage (docs/deploy.md, "Object
storage"). A file already there with the same digest is left alone; one there with different
bytes is reported and never overwritten."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser

CHUNK = 1 << 20


def sha256_of(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def stored_digest(name: str) -> str:
    with default_storage.open(name, "rb") as handle:
        return sha256_of(handle)


class Command(BaseCommand):
    help = (
        "Copy every file under MEDIA_ROOT (or --source) into the configured storage "
        "(COURSEPORTAL_S3_BUCKET) under the same name, verifying each one's SHA-256 digest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source", type=Path, default=None, help="the folder to copy (default: MEDIA_ROOT)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["source"] or settings.MEDIA_ROOT).resolve()
        if not source.is_dir():
            raise CommandError(f"--source: {source} is not a folder")
        if isinstance(default_storage, FileSystemStorage):
            raise CommandError(
                "the configured storage is the local filesystem: set COURSEPORTAL_S3_BUCKET "
                "(docs/deploy.md, Object storage) before copying"
            )
        copied = present = 0
        problems: list[str] = []
        for folder, _, files in sorted(os.walk(source)):
            for filename in sorted(files):
                path = Path(folder) / filename
                name = path.relative_to(source).as_posix()
                with path.open("rb") as handle:
                    digest = sha256_of(handle)
                    if default_storage.exists(name):
                        if stored_digest(name) == digest:
                            present += 1
                        else:
                            problems.append(f"{name}: a different file is already stored there")
                        continue
                    handle.seek(0)
                    saved = default_storage.save(name, File(handle, name=name))
                if saved != name:
                    problems.append(f"{name}: stored as {saved}")
                elif stored_digest(name) != digest:
                    problems.append(f"{name}: the stored copy's SHA-256 differs")
                else:
                    copied += 1
                    self.stdout.write(f"copied {name} (sha256 {digest})")
        self.stdout.write(
            f"{copied} copied, {present} already stored with the same SHA-256, "
            f"{len(problems)} not copied"
        )
        if problems:
            raise CommandError("not copied:\n" + "\n".join(problems))
