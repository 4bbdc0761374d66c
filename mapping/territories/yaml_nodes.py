"""Reading the territory file's YAML node tree with line numbers, so every error can name its line.

The file is composed (`yaml.compose`), not loaded: nodes keep their position, duplicate keys are
still visible (a plain load silently keeps the last one), and a scalar's text is available as
written, which spares admins YAML 1.1's surprises where it matters (`NO`, Norway's country code,
stays "NO" instead of becoming false).

A load reports every error in the file at once: `Where` carries the list of errors found so far,
and a reader keeps going past an error (`Where.collecting`, `Where.report`) wherever the rest can
still be checked meaningfully: past a bad field to the next, past a bad territory to the next.
Inside one field's value the first error ends that field.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from territory_sync.errors import TerritoryFileError

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"


@dataclass(frozen=True, slots=True)
class Where:
    """The file and, inside a territory, its name: the context every error carries; and the
    errors the load has found so far (`found`), which every `inside` shares."""

    file: str
    territory: str | None = None
    found: list[TerritoryFileError] | None = field(default=None, compare=False, repr=False)
    """None: the first error is raised as it is found."""

    def inside(self, territory: str | None) -> Where:
        return Where(self.file, territory, self.found)

    @contextmanager
    def collecting(self) -> Iterator[None]:
        """Keep going past an error the block raises: it joins the errors `found`, and what the
        block was to set keeps its default (so set it last). Without `found`, it is raised."""
        try:
            yield
        except TerritoryFileError as error:
            if self.found is None:
                raise
            self.found.append(error)

    def report(self, message: str, node: Node | None, field: str | None = None) -> None:
        """An error that leaves the rest checkable: kept with the errors `found` (raised without
        `found`), and the caller goes on."""
        with self.collecting():
            raise self.error(message, node, field)

    def error(
        self, message: str, node: Node | None, field: str | None = None
    ) -> TerritoryFileError:
        return TerritoryFileError(
            message, file=self.file, line=line_of(node), territory=self.territory, field=field
        )

    def warning(self, message: str, node: Node | None, field: str | None = None) -> str:
        return str(self.error(message, node, field))


def line_of(node: Node | None) -> int | None:
    return None if node is None else node.start_mark.line + 1


def compose(text: str, where: Where) -> Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        raise TerritoryFileError(
            f"this is not valid YAML ({problem}): check the indentation and quoting on this line",
            file=where.file,
            line=mark.line + 1 if mark else None,
        ) from error
    except yaml.YAMLError as error:
        raise TerritoryFileError(
            f"this is not valid YAML ({error}): check the file's syntax", file=where.file
        ) from error


def suggestion(word: str, choices: Collection[str]) -> str:
    """ " (did you mean 'country'?)" when a close choice exists, else ""."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    if not close:
        lowered = {choice.lower(): choice for choice in choices}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return f" (did you mean {close[0]!r}?)" if close else ""


def mapping_items(
    node: Node, where: Where, what: str, field: str | None = None, *, keep_going: bool = False
) -> list[tuple[str, ScalarNode, Node]]:
    """(key, key node, value node) for each entry; rejects non-mappings and repeated keys.

    `keep_going` (a mapping whose keys are fields of their own): a key that is not a name, or
    is repeated, is reported (`Where.report`) and left out, and the other entries are read."""
    if not isinstance(node, MappingNode):
        raise where.error(f"{what} must be a mapping of keys to values", node, field)
    refuse = where.report if keep_going else _raise(where)
    items: list[tuple[str, ScalarNode, Node]] = []
    seen: dict[str, ScalarNode] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag == _NULL:
            refuse(f"{what} has a key that is not a name", key_node, field)
            continue
        key = key_node.value
        if key in seen:
            refuse(
                f"key {key!r} appears twice in {what} (first on line {line_of(seen[key])}): "
                "keep one",
                key_node,
                field,
            )
            continue
        seen[key] = key_node
        items.append((key, key_node, value_node))
    return items


def _raise(where: Where) -> Callable[[str, Node | None, str | None], None]:
    def refuse(message: str, node: Node | None, field: str | None = None) -> None:
        raise where.error(message, node, field)

    return refuse


def reject_unknown_keys(
    items: list[tuple[str, ScalarNode, Node]],
    allowed: Collection[str],
    where: Where,
    what: str,
    field: str | None = None,
    *,
    keep_going: bool = False,
) -> list[tuple[str, ScalarNode, Node]]:
    """The items whose key is `allowed`; an unknown key is an error, raised, or with
    `keep_going` reported (`Where.report`) and left out."""
    refuse = where.report if keep_going else _raise(where)
    known = []
    for key, key_node, value_node in items:
        if key not in allowed:
            refuse(
                f"unknown key {key!r} in {what}{suggestion(key, allowed)}: "
                f"use {', '.join(allowed)}",
                key_node,
                field or key,
            )
            continue
        known.append((key, key_node, value_node))
    return known


def one_of(choices: Collection[str]) -> str:
    """ "a, b or c" """
    listed = list(choices)
    return listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} or {listed[-1]}"


def sequence(node: Node, where: Where, message: str, field: str | None = None) -> list[Node]:
    if not isinstance(node, SequenceNode):
        raise where.error(message, node, field)
    return list(node.value)


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL


def text(node: Node, where: Where, message: str, field: str | None = None) -> str:
    """A scalar's text as written (any scalar but null); `message` says what was expected."""
    if not isinstance(node, ScalarNode) or node.tag == _NULL or not node.value.strip():
        raise where.error(message, node, field)
    return str(node.value).strip()


def scalar(node: Node, where: Where, message: str, field: str | None = None) -> object:
    """A scalar as YAML types it (str, int, float, bool or None)."""
    if not isinstance(node, ScalarNode):
        raise where.error(message, node, field)
    try:
        return SafeConstructor().construct_object(node, deep=True)
    except ConstructorError as error:
        raise where.error(message, node, field) from error


def number(node: Node, where: Where, message: str, field: str | None = None) -> int | float:
    if isinstance(node, ScalarNode) and node.tag in (_INT, _FLOAT):
        value = scalar(node, where, message, field)
        if isinstance(value, int | float) and not isinstance(value, bool):
            if value != value or value in (float("inf"), float("-inf")):
                raise where.error(message, node, field)
            return value
    raise where.error(message, node, field)


def integer(node: Node, where: Where, message: str, field: str | None = None) -> int:
    if isinstance(node, ScalarNode) and node.tag == _INT:
        value = scalar(node, where, message, field)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    raise where.error(message, node, field)


def boolean(node: Node, where: Where, message: str, field: str | None = None) -> bool:
    if isinstance(node, ScalarNode) and node.tag == _BOOL:
        value = scalar(node, where, message, field)
        if isinstance(value, bool):
            return value
    raise where.error(message, node, field)


def is_quoted_or_plain_text(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _STR


def is_number(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag in (_INT, _FLOAT)


def plain_value(node: Node, where: Where, message: str, field: str | None = None) -> object:
    """A scalar read the way YAML 1.2 (and a person) reads it: only true/false are booleans
    (`yes`, `no`, `on`, `off` stay text) and digits with a leading zero stay text (no octal)."""
    value = scalar(node, where, message, field)
    assert isinstance(node, ScalarNode)
    written = node.value
    if isinstance(value, bool) and written.strip().lower() not in ("true", "false"):
        return written
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and written.startswith("0")
        and written != "0"
    ):
        return written
    return value
