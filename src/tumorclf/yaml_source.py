"""Read YAML while remembering where each value stands in the file.

Errors in a priors or config file should say "line 42 (classes.mcs.sex.p)",
not only what is wrong. :func:`load_yaml` returns the plain data together
with a :class:`Locator` that maps a key path to its line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

KeyPath = tuple[Any, ...]


def dotted(path: KeyPath) -> str:
    """``('classes', 'mcs', 'age')`` -> ``'classes.mcs.age'``."""
    return ".".join(str(part) for part in path) or "<top level>"


@dataclass
class Locator:
    """Line numbers (1-based) of every key path in one YAML file."""

    filename: str
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def where(self, path: KeyPath) -> str:
        line = self.line(path)
        at = f", line {line}" if line is not None else ""
        return f"{self.filename}{at} ({dotted(path)})"


class YamlFileError(ValueError):
    """A YAML file that cannot be used; the message lists every problem with its place."""

    def __init__(self, filename: str, problems: Sequence[str]) -> None:
        self.filename = filename
        self.problems = list(problems)
        head = f"{filename}: {len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        super().__init__("\n  ".join([head + ":", *self.problems]))


class _Constructor(yaml.constructor.SafeConstructor):
    pass


def _build(node: yaml.Node, path: KeyPath, locator: Locator, constructor: _Constructor) -> Any:
    locator.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if key in result:
                raise YamlFileError(
                    locator.filename,
                    [
                        f"{locator.filename}, line {key_node.start_mark.line + 1}: "
                        f"key {key!r} appears twice in {dotted(path)}"
                    ],
                )
            locator.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _build(value_node, (*path, key), locator, constructor)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), locator, constructor) for i, item in enumerate(node.value)]
    return constructor.construct_object(node, deep=True)


def load_yaml(path: str | Path) -> tuple[Any, Locator]:
    """Load a YAML file; return its data and a :class:`Locator` for its key paths.

    Raises
    ------
    YamlFileError
        If the file is not valid YAML (with the line of the fault) or repeats a key.
    FileNotFoundError
        If the file does not exist.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    locator = Locator(str(path))
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = f", line {mark.line + 1}" if mark is not None else ""
        raise YamlFileError(str(path), [f"{path}{line}: not valid YAML: {error.problem}"]) from None
    if node is None:
        return {}, locator
    return _build(node, (), locator, _Constructor()), locator
