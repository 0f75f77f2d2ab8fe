"""Which delays or cost legs a scenario's change acts on: one rule for every selector.

A *selection* maps selector names (``stage``, ``country``, ``node``, ``link``, ``kind``...)
to the values a change lists, or None where it lists none. An item (a delay, a cost leg)
describes itself under the same names. It is selected when every listed selector matches:
left out matches everything, a list matches any of its values, and an item with several
values under one name (a border node's two countries) matches if one of them is listed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

__all__ = ["Selection", "selection_of", "selects"]

#: Selector name -> the values selected, or None for any.
Selection = Mapping[str, frozenset[str] | None]


def selects(selection: Selection, item: Mapping[str, object]) -> bool:
    """Whether ``item`` (selector name -> its value, or its values) is selected."""
    for name, wanted in selection.items():
        if wanted is None:
            continue
        have = item[name]
        if isinstance(have, tuple | frozenset | set):
            if wanted.isdisjoint(have):
                return False
        elif have not in wanted:
            return False
    return True


def selection_of(
    selectors: Mapping[str, Collection[str] | None],
) -> dict[str, frozenset[str] | None]:
    """A selection from selector values as a change gives them (None: any)."""
    return {k: None if v is None else frozenset(v) for k, v in selectors.items()}
