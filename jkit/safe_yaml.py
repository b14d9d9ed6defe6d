"""YAML from users, parsed safely: plain data only, small, and no alias bombs.

Stage models, study files and run configurations come from users. They are parsed with PyYAML's
safe loader (no tags that build objects: ``!!python/object`` is refused) and with limits: at most
1 MiB of text, 20 aliases and 20,000 nodes — a "billion laughs" document of a few hundred bytes
fails at once instead of taking minutes and gigabytes. Files must be UTF-8 (a byte-order mark is
allowed); anything else is a clear error naming the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from jkit.errors import DataValidationError, MissingResourceError

__all__ = ["MAX_YAML_BYTES", "MAX_ALIASES", "MAX_NODES", "parse_yaml", "read_yaml"]

MAX_YAML_BYTES = 1 << 20
MAX_ALIASES = 20
MAX_NODES = 20_000


class _LimitedLoader(yaml.SafeLoader):
    """A safe loader that counts aliases and nodes while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._nodes = 0

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases (&/*); write the values out instead")
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise yaml.YAMLError(f"more than {MAX_NODES:,} values")
        return super().compose_node(parent, index)


def parse_yaml(text: str, source: str = "YAML", what: str = "file") -> Any:
    """Parse YAML ``text`` as plain data within the limits; errors name ``source``."""
    if len(text.encode("utf-8", errors="replace")) > MAX_YAML_BYTES:
        raise DataValidationError(f"{source}: the {what} is larger than {MAX_YAML_BYTES:,} bytes")
    loader = _LimitedLoader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise DataValidationError(f"{source}: not a valid {what}: {detail}") from None
    finally:
        loader.dispose()


def read_yaml(path: str | Path, what: str = "file") -> Any:
    """Read a UTF-8 YAML file as plain data within the limits (see the module docstring)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise MissingResourceError(f"{path.name}: cannot read the {what}: {exc.strerror}") from None
    if size > MAX_YAML_BYTES:
        raise DataValidationError(f"{path.name}: the {what} is {size:,} bytes; at most {MAX_YAML_BYTES:,} are read")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataValidationError(
            f"{path.name}: the {what} is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8"
        ) from None
    return parse_yaml(text, path.name, what)
