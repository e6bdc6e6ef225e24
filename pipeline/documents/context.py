"""The file being read as every reader sees it: its path, display name, bytes and
SHA-256, the warnings gathered while reading it, whether OCR was asked for, and a
helper that builds a `DocumentError` naming the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import DocumentError


@dataclass
class _Context:
    """What every reader needs to know about the file being read."""

    path: Path
    name: str
    data: bytes
    sha256: str
    warnings: list[str] = field(default_factory=list)
    ocr: bool = False  # images and scanned PDF pages go through OCR

    def error(self, cls: type[DocumentError], detail: str = "", **kwargs: Any) -> DocumentError:
        return cls(self.path, name=self.name, detail=detail, **kwargs)
