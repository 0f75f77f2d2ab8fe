"""Write ``docs/api.md``, the API reference, from the docstrings of the public API.

Every name listed in ``src/midcorridor/__init__.pyi`` gets its signature (a class: its
fields) and its docstring, numpy sections turned into Markdown lists; a class also lists
its public methods and properties with the first paragraph of each. Names are grouped by
the module that defines them, in pipeline order (inputs -> network -> model -> runs ->
analysis -> views, then the shared results, vocabulary and errors).

Run ``make docs`` (or ``python docs/build_api.py``) after changing a docstring:
tests/test_docs.py fails while ``docs/api.md`` differs from what this writes.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import midcorridor as mc

#: The page this writes.
API_PAGE = Path(__file__).resolve().parent / "api.md"
#: The public API's single list of names.
STUB = Path(mc.__file__).with_name("__init__.pyi")
#: Layer folders from the bottom up (tests/test_layout.py): the sections' order; modules
#: at the package's top (results, vocabulary, errors, version) come after them.
LAYER_ORDER = ("inputs", "network", "model", "runs", "analysis", "views")
#: Signatures longer than this many characters are written one parameter a line.
MAX_SIGNATURE_CHARS = 88
#: Numpy docstring sections whose body is a list of terms, each with an indented text.
LIST_SECTIONS = frozenset(
    {"Parameters", "Other Parameters", "Attributes", "Returns", "Yields", "Raises", "Warns"}
)
_SECTION_RULE = re.compile(r"^-{3,}$")
#: ``:func:`~pkg.mod.name``` and the like: Sphinx cross references.
_ROLE = re.compile(r":[a-z]+:`(~?)\.*([^`]+)`")
#: ``double backquoted`` code.
_LITERAL = re.compile(r"``([^`]+)``")
#: The memory address in the repr of a function: it changes from run to run.
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


class _Text(str):
    """A string whose repr is itself: an annotation or default written as in the source."""

    def __repr__(self) -> str:
        return str(self)


def public_names() -> dict[str, list[str]]:
    """Module -> the public names it defines, in the stub's order."""
    public = set(mc.__all__)
    by_module: dict[str, list[str]] = {}
    for node in ast.parse(STUB.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            names = [a.name for a in node.names if a.name in public]
            by_module.setdefault(f"{mc.__name__}.{node.module}", []).extend(names)
    return by_module


def _section_key(module: str) -> tuple[int, str]:
    parts = module.split(".")
    layer = parts[1] if len(parts) > 2 else ""
    rank = LAYER_ORDER.index(layer) if layer in LAYER_ORDER else len(LAYER_ORDER)
    return rank, module


def inline(text: str) -> str:
    """Sphinx roles and ``literals`` as Markdown code (``~a.b.c`` -> ``c``)."""
    text = _ROLE.sub(lambda m: f"`{m[2].rsplit('.', 1)[-1] if m[1] else m[2]}`", text)
    return _LITERAL.sub(r"`\1`", text)


def _sections(doc: str) -> Iterator[tuple[str, list[str]]]:
    """The docstring's summary (title ``""``) and each numpy section, with their lines."""
    lines = doc.splitlines()
    title = ""
    body: list[str] = []
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and _SECTION_RULE.match(lines[i + 1]) and lines[i].strip():
            yield title, body
            title, body = lines[i].strip(), []
            i += 2
            continue
        body.append(lines[i])
        i += 1
    yield title, body


def _term_list(lines: list[str]) -> list[str]:
    """``term`` lines with indented descriptions, as a Markdown list; an unindented line
    after a blank one, with no indented line under it, is a paragraph after the list."""
    items: list[list[str]] = []
    after: list[str] = []
    for i, line in enumerate(lines):
        indented = line.startswith(" ")
        described = i + 1 < len(lines) and lines[i + 1].startswith(" ")
        if after or (not indented and i and not lines[i - 1].strip() and not described):
            after.append(inline(line))
        elif not line.strip():
            continue
        elif indented and items:
            items[-1].append(line.strip())
        else:
            items.append([line.strip()])
    out = []
    for term, *text in items:
        name, _, kind = term.partition(" : ")
        head = f"`{name}` ({inline(kind)})" if kind else f"`{name}`"
        out.append(f"- {head}: {inline(' '.join(text))}" if text else f"- {head}")
    return [*out, "", *after] if after else out


def docstring_markdown(doc: str) -> str:
    """A numpy-style docstring as Markdown: sections in bold, terms as lists."""
    out: list[str] = []
    for title, lines in _sections(doc):
        if title:
            out += [f"**{title}**", ""]
            if title in LIST_SECTIONS:
                out += [*_term_list(lines), ""]
                continue
        out += [inline(line) for line in lines]
        out.append("")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"


def first_paragraph(doc: str | None) -> str:
    """The docstring's first paragraph, on one line."""
    paragraph = (doc or "").strip().split("\n\n", 1)[0]
    return inline(" ".join(line.strip() for line in paragraph.splitlines()))


def _as_source(sig: inspect.Signature) -> inspect.Signature:
    """``sig`` with string annotations shown as written (no quotes)."""

    def text(annotation: Any) -> Any:
        return _Text(annotation) if isinstance(annotation, str) else annotation

    def default(value: Any) -> Any:
        shown = repr(value)
        return _Text(_ADDRESS.sub("", shown)) if _ADDRESS.search(shown) else value

    params = [
        p.replace(annotation=text(p.annotation), default=default(p.default))
        for p in sig.parameters.values()
    ]
    return sig.replace(parameters=params, return_annotation=text(sig.return_annotation))


def _model_signature(cls: Any) -> inspect.Signature:
    """A pydantic model's fields as keyword parameters, annotations as in the source."""
    written: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        written |= getattr(klass, "__annotations__", {})
    params = []
    for name, info in cls.model_fields.items():
        if info.is_required():
            default: Any = inspect.Parameter.empty
        elif info.default_factory is not None:
            default = _Text(repr(info.default_factory()))
        else:
            default = info.default
        params.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, annotation=written[name], default=default
            )
        )
    return inspect.Signature(params)


def signature(name: str, obj: Callable[..., Any]) -> str:
    """``name(params) -> return``, one parameter a line when long."""
    is_model = inspect.isclass(obj) and hasattr(obj, "model_fields")
    sig = _as_source(_model_signature(obj) if is_model else inspect.signature(obj))
    if inspect.isclass(obj):
        sig = sig.replace(return_annotation=inspect.Signature.empty)
    one_line = f"{name}{sig}"
    if len(one_line) <= MAX_SIGNATURE_CHARS:
        return one_line
    params = str(sig.replace(return_annotation=inspect.Signature.empty))[1:-1]
    returns = str(sig)[len(params) + 2 :]
    return f"{name}(\n" + "".join(f"    {p},\n" for p in _split_params(params)) + f"){returns}"


def _split_params(params: str) -> list[str]:
    """Split a parameter list at its top-level commas."""
    out, depth, start = [], 0, 0
    for i, char in enumerate(params):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            out.append(params[start:i].strip())
            start = i + 1
    out.append(params[start:].strip())
    return out


def _members(cls: type) -> list[str]:
    """The class's public methods and properties (its own and its package bases'), each
    with the first paragraph of its docstring."""
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass.__module__.startswith(mc.__name__):
            found |= {k: v for k, v in vars(klass).items() if not k.startswith("_")}
    out = []
    for name, member in found.items():
        if isinstance(member, property):
            out.append(f"- `{name}` (property): {first_paragraph(member.__doc__)}")
        elif inspect.isfunction(member) or isinstance(member, classmethod | staticmethod):
            func = member.__func__ if isinstance(member, classmethod | staticmethod) else member
            sig = _as_source(inspect.signature(func))
            if not isinstance(member, staticmethod):
                sig = sig.replace(parameters=list(sig.parameters.values())[1:])
            out.append(f"- `{name}{sig}`: {first_paragraph(func.__doc__)}")
    return out


def _entry(name: str, obj: Any) -> list[str]:
    out = [f'<a id="{name}"></a>', "", f"### `mc.{name}`", ""]
    if name == "__version__":
        # Its value is the installed version: left out, so that the page does not change
        # with the checkout's install.
        return [*out, "The package's version (a string), read from its installed metadata.", ""]
    if not callable(obj):
        return [*out, "```python", f"{name} = {obj!r}", "```", ""]
    out += ["```python", signature(name, obj), "```", ""]
    out.append(docstring_markdown(inspect.getdoc(obj) or ""))
    if inspect.isclass(obj) and (members := _members(obj)):
        out += ["Methods and properties:", "", *members, ""]
    return out


def render() -> str:
    """The whole page, as :data:`API_PAGE` holds it."""
    by_module = sorted(public_names().items(), key=lambda item: _section_key(item[0]))
    out = [
        "# API reference",
        "",
        "<!-- Written by docs/build_api.py from the docstrings (`make docs`): edit those, "
        "not this page. -->",
        "",
        "Every public name of `midcorridor` (`import midcorridor as mc`), as listed in "
        "`src/midcorridor/__init__.pyi`, grouped by the module that defines it, in pipeline "
        "order: input files, network, model, scenario runs, analyses, views (tables, maps, "
        "charts, reports), then the shared results, vocabulary and errors. A worked example: "
        "[examples/first_answer.ipynb](examples/first_answer.ipynb).",
        "",
    ]
    for module, names in by_module:
        links = ", ".join(f"[`{n}`](#{n})" for n in names)
        out.append(f"- `{module}`: {links}")
    out.append("")
    for module, names in by_module:
        doc = inspect.getdoc(__import__(module, fromlist=["_"]))
        out += [f"## `{module}`", "", first_paragraph(doc), ""]
        for name in names:
            out += _entry(name, getattr(mc, name))
    return "\n".join(out).rstrip() + "\n"


def main() -> None:
    API_PAGE.write_text(render(), encoding="utf-8")
    print(f"wrote {API_PAGE.name}: {len(mc.__all__)} public names")


if __name__ == "__main__":
    main()
