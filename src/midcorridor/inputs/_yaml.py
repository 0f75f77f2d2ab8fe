"""Reading user files defensively: plain YAML of bounded size, and short echoes of values.

Scenario files and the network's ``sources.yaml`` are read with :func:`load_plain_yaml`,
which refuses what ``yaml.safe_load`` accepts but should not reach the model: values nested
deeper than :data:`MAX_YAML_DEPTH`, documents with more than :data:`MAX_YAML_NODES` values
once aliases are expanded ("billion laughs"), duplicate mapping keys, tags other than
plain YAML's, and integers too large to be a figure. Every refusal is fast and never
builds the expanded value.
"""

from __future__ import annotations

import reprlib
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node

__all__ = [
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "YamlInputError",
    "load_plain_yaml",
    "short_repr",
    "short_text",
]

#: Deepest nesting of lists and mappings read (a scenario needs about 5 levels).
MAX_YAML_DEPTH = 50
#: Most values (scalars, lists, mappings) in one YAML document, an alias counting as the
#: size of the value it repeats (a scenario needs hundreds).
MAX_YAML_NODES = 100_000
#: Largest integer read: beyond this no float can hold it (and Python refuses to print it).
MAX_YAML_INT = 2**1024
#: Longest integer read, characters (checked before it is converted).
MAX_YAML_INT_CHARS = 400
#: Longest echo of a value in a message, characters.
MAX_ECHO_CHARS = 80

#: Where a YAML event or node is (``yaml.error.Mark``; the C parser has its own class).
_Mark = Any

_YAML_TAG_PREFIX = "tag:yaml.org,2002:"
_TOO_LARGE = "an integer too large to be a figure (over 300 digits)"


class YamlInputError(Exception):
    """A YAML text refused: the message says where (line, column) and why."""


class _Refused(yaml.MarkedYAMLError):
    """Raised inside the loader; :func:`load_plain_yaml` turns it into a message."""

    def __init__(self, problem: str, mark: _Mark) -> None:
        super().__init__(problem=problem, problem_mark=mark)


def _where(mark: _Mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _tag_name(tag: str) -> str:
    return "!!" + tag.removeprefix(_YAML_TAG_PREFIX) if tag.startswith(_YAML_TAG_PREFIX) else tag


class _PlainLoader(yaml.SafeLoader):
    """A safe loader that bounds nesting and expanded size and refuses duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._count = 0
        # Expanded size of each anchored node, by id (the nodes live on in self.anchors).
        self._sizes: dict[int, int] = {}

    def _add(self, nodes: int, mark: _Mark) -> None:
        self._count += nodes
        if self._count > MAX_YAML_NODES:
            raise _Refused(
                f"more than {MAX_YAML_NODES:,} values once anchors and aliases are expanded "
                "(an alias repeats the whole value it names)",
                mark,
            )

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            target = self.anchors.get(event.anchor) if event.anchor is not None else None
            if target is not None:
                size = self._sizes.get(id(target))
                if size is None:
                    raise _Refused(
                        f"the alias *{event.anchor} refers to a value that contains it",
                        event.start_mark,
                    )
                self._add(size, event.start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise _Refused(
                f"values nested more than {MAX_YAML_DEPTH} levels deep", event.start_mark
            )
        before = self._count
        self._add(1, event.start_mark)
        node = super().compose_node(parent, index)
        self._depth -= 1
        if getattr(event, "anchor", None) is not None:
            self._sizes[id(node)] = self._count - before
        return node

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        first: dict[Any, _Mark] = {}
        for key_node, _ in node.value:
            if key_node.tag == _YAML_TAG_PREFIX + "merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                seen = first.get(key)
            except TypeError:  # an unhashable key: the safe loader refuses it below
                continue
            if seen is not None:
                raise _Refused(
                    f"duplicate key {short_repr(key)} (first given at {_where(seen)})",
                    key_node.start_mark,
                )
            first[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node.tag == _YAML_TAG_PREFIX + "int" and len(str(node.value)) > MAX_YAML_INT_CHARS:
            raise _Refused(_TOO_LARGE, node.start_mark)
        try:
            value = super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:  # e.g. a date 2025-13-45
            raise _Refused(f"cannot read this value ({exc})", node.start_mark) from None
        if isinstance(value, int) and abs(value) >= MAX_YAML_INT:
            raise _Refused(_TOO_LARGE, node.start_mark)
        return value

    def _undefined(self, node: Node) -> Any:
        raise _Refused(
            f"the tag {_tag_name(node.tag)} is not allowed: only plain YAML (mappings, lists, "
            "text, numbers, true/false, null)",
            node.start_mark,
        )


_PlainLoader.add_constructor(None, _PlainLoader._undefined)


def load_plain_yaml(text: str) -> Any:
    """Parse one YAML document of plain values, within the bounds of this module.

    Parameters
    ----------
    text
        The document.

    Returns
    -------
    Any
        Mappings, lists, strings, numbers, booleans and None (and what the YAML safe
        schema reads from plain scalars, such as dates).

    Raises
    ------
    YamlInputError
        Saying where and why: a syntax error, a refused tag, a duplicate key, values
        nested deeper than :data:`MAX_YAML_DEPTH` or more than :data:`MAX_YAML_NODES` of
        them once aliases are expanded.
    """
    try:
        loader = _PlainLoader(text)
    except yaml.reader.ReaderError as exc:  # a control character: reported at its place
        raise YamlInputError(_reader_problem(text, exc)) from None
    try:
        return loader.get_single_data()
    except _Refused as exc:
        where = _where(exc.problem_mark)
        raise YamlInputError(f"{where}: {exc.problem}." if where else f"{exc.problem}.") from None
    except yaml.constructor.ConstructorError as exc:  # e.g. !!binary that is not base64
        mark = exc.problem_mark or exc.context_mark
        where = f" at {_where(mark)}" if mark is not None else ""
        raise YamlInputError(f"YAML value error{where}: {exc.problem}.") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at {_where(mark)}" if mark is not None else ""
        raise YamlInputError(f"YAML syntax error{where}: {exc.problem}.") from None
    except yaml.reader.ReaderError as exc:
        raise YamlInputError(_reader_problem(text, exc)) from None
    except yaml.YAMLError as exc:
        raise YamlInputError(f"YAML error: {short_repr(str(exc))}.") from None
    except RecursionError:  # not reached within MAX_YAML_DEPTH; a last guard
        raise YamlInputError(f"values nested too deeply (at most {MAX_YAML_DEPTH}).") from None
    finally:
        loader.dispose()


def _reader_problem(text: str, error: yaml.reader.ReaderError) -> str:
    """A character YAML does not allow, by line and column."""
    before = text[: error.position]
    line = before.count("\n") + 1
    column = error.position - (before.rfind("\n") + 1) + 1
    character = error.character if isinstance(error.character, int) else 0
    return (
        f"line {line}, column {column}: the character U+{character:04X} is not allowed "
        f"in YAML ({error.reason})."
    )


class _ShortRepr(reprlib.Repr):
    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 128:  # Python refuses to print an int of over 4,300 digits
            return f"<an integer of about {int(x.bit_length() * 0.30103) + 1:,} digits>"
        return super().repr_int(x, level)


_REPR = _ShortRepr()
_REPR.maxlevel = 3
_REPR.maxstring = MAX_ECHO_CHARS
_REPR.maxother = MAX_ECHO_CHARS
_REPR.maxlong = 40


def short_repr(value: Any) -> str:
    """``repr(value)`` cut to about :data:`MAX_ECHO_CHARS` characters, cheaply.

    Only the start of a long list, mapping or string is looked at, so a huge or deeply
    nested value costs no more than a small one.
    """
    try:
        text = _REPR.repr(value)
    except Exception:  # a value whose repr fails: say what it is, not what it holds
        text = f"<{type(value).__name__}>"
    if len(text) > MAX_ECHO_CHARS:
        text = text[: MAX_ECHO_CHARS - 3] + "..."
    return text


def short_text(text: str) -> str:
    """``text`` cut in the middle to about :data:`MAX_ECHO_CHARS` characters."""
    if len(text) <= MAX_ECHO_CHARS:
        return text
    half = (MAX_ECHO_CHARS - 3) // 2
    return f"{text[:half]}...{text[-half:]}"
