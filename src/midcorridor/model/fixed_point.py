"""A fixed point x = g(x) of an expensive, steep, monotone map in a few evaluations.

The corridor choice (:func:`midcorridor.runs.choice.solve_choice`) looks for the cargo a
week each rail corridor gains, ``x``, at which the shares its own run gives, ``g(x)``, move
no more: one Monte Carlo run an evaluation. Each coordinate's gap ``f = g(x) - x`` falls
as its ``x`` grows (more cargo, longer queues, fewer takers), steeply near the corridor's
capacity, and ``g`` flattens out beyond it; the other coordinate barely moves it. Averaged
iterates crawl there (10-30 runs), and plain steps overshoot into the flat part.

:class:`FixedPointSolver` therefore takes Newton-type steps coordinate by coordinate (a
diagonal Jacobian): the secant through the last two points, or inverse quadratic
interpolation through the last three, kept inside the bracket the signs of the gaps have
shown, with the Illinois variant of regula falsi when a step would leave it and a
bisection when two steps have not halved it (the safeguards of Brent's method: Brent,
*Algorithms for Minimization without Derivatives*, 1973, ch. 4). Until a coordinate's
root is bracketed above, its steps stop at a ceiling the caller gives (a corridor's
capacity) and then at most double the distance covered.

Near the root the gap is also jagged: the simulated queues' waits jump from one volume to
the next (by tens of TEU a week of gap between volumes a TEU apart, against a tolerance of
a few), so slopes between nearby points are noise and secant steps wander. Where the
caller can forecast the gap near the point just evaluated, jumps included, without an
evaluation (:mod:`midcorridor.runs.choice_forecast`), :class:`ForecastSolver` steps to
where that forecast is smallest, inside the bracket, and keeps the safeguarded steps for
when the forecasts stop closing the gap.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = ["FixedPointSolver", "ForecastSolver"]

#: Evaluations of the forecast before each step of :class:`ForecastSolver`.
FORECAST_STEPS = 8


class _Root:
    """The search for one coordinate's root: every point evaluated, and its bracket."""

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high
        self.points: list[tuple[float, float]] = []  # (x, gap), in evaluation order
        self.below: tuple[float, float] | None = None  # nearest x with gap > 0 ...
        self.above: tuple[float, float] | None = None  # ... and with gap < 0
        self.kept_below = self.kept_above = 0  # evaluations an end has survived
        self.widths: list[float] = []  # the bracket's width after each bracketed point

    def add(self, x: float, gap: float) -> None:
        self.points.append((x, gap))
        self._update(x, gap)
        if self.below is not None and self.above is not None:
            self.widths.append(abs(self.above[0] - self.below[0]))

    def _update(self, x: float, gap: float) -> None:
        if gap > 0:
            self.below, self.kept_below = (x, gap), 0
            self.kept_above += 1
            if self.above is not None and self.above[0] <= x:  # the root moved (coupling)
                self.above, self.kept_above = None, 0
        elif gap < 0:
            self.above, self.kept_above = (x, gap), 0
            self.kept_below += 1
            if self.below is not None and self.below[0] >= x:
                self.below, self.kept_below = None, 0

    def next(self, ceiling: float) -> float:
        x, gap = self.points[-1]
        if gap == 0:
            return x
        bracketed = self.below is not None and self.above is not None
        guess = self._interpolated(quadratic=bracketed)
        if self.below is not None and self.above is not None:
            a, b = self.below[0], self.above[0]
            if len(self.widths) >= 3 and self.widths[-1] > self.widths[-3] / 2:
                return (a + b) / 2  # interpolation is crawling: bisect, as Brent does
            if guess is not None and min(a, b) < guess < max(a, b):
                return guess
            return self._illinois()
        if guess is None or (guess - x) * gap <= 0:  # no usable slope: a plain step
            guess = x + gap
        if gap > 0:  # the root is above: not past the ceiling, nor twice as far again
            start = self.points[0][0]
            farthest = ceiling if x < ceiling else x + max(x - start, 1.0)
            guess = min(guess, farthest)
        return float(np.clip(guess, self.low, self.high))

    def bracket(self) -> tuple[float, float]:
        """The bracket the gaps' signs have shown, else the bounds."""
        if self.below is None or self.above is None:
            return self.low, self.high
        a, b = self.below[0], self.above[0]
        return min(a, b), max(a, b)

    def _interpolated(self, *, quadratic: bool) -> float | None:
        """Inverse quadratic interpolation through the last three points (``quadratic``:
        inside a bracket, never to extrapolate), else the secant through the last two;
        None if the gaps do not allow it."""
        pts = self.points[-3:]
        gaps = [f for _, f in pts]
        if quadratic and len(pts) == 3 and len(set(gaps)) == 3:
            (x0, f0), (x1, f1), (x2, f2) = pts
            return (
                x0 * f1 * f2 / ((f0 - f1) * (f0 - f2))
                + x1 * f0 * f2 / ((f1 - f0) * (f1 - f2))
                + x2 * f0 * f1 / ((f2 - f0) * (f2 - f1))
            )
        if len(pts) >= 2:
            (x0, f0), (x1, f1) = pts[-2:]
            if f0 != f1:
                return x1 - f1 * (x1 - x0) / (f1 - f0)
        return None

    def _illinois(self) -> float:
        """Regula falsi between the bracket's ends, the gap of an end kept twice halved
        for each time (so the bracket keeps shrinking from both sides)."""
        assert self.below is not None
        assert self.above is not None
        (a, fa), (b, fb) = self.below, self.above
        fa /= 2 ** max(self.kept_below - 1, 0)
        fb /= 2 ** max(self.kept_above - 1, 0)
        return a + (b - a) * fa / (fa - fb)


class FixedPointSolver:
    """Successive iterates of a fixed point x = g(x), from the gaps g(x) - x.

    Parameters
    ----------
    low, high
        Bounds of every coordinate.
    """

    def __init__(self, low: np.ndarray, high: np.ndarray) -> None:
        self.roots = [_Root(float(lo), float(hi)) for lo, hi in zip(low, high, strict=True)]

    def next(self, x: np.ndarray, gap: np.ndarray, ceiling: np.ndarray | None = None) -> np.ndarray:
        """The next iterate after ``x``, whose gap is ``gap``; ``ceiling`` (per coordinate,
        NaN for none) bounds the first steps of a coordinate whose gaps are positive."""
        out = np.empty(len(self.roots))
        for i, root in enumerate(self.roots):
            root.add(float(x[i]), float(gap[i]))
            cap = math.inf if ceiling is None or np.isnan(ceiling[i]) else float(ceiling[i])
            out[i] = root.next(cap)
        return out


class ForecastSolver:
    """Successive iterates of x = g(x), each at the root of a cheap forecast of the gap.

    For a map whose evaluations are expensive and jagged (local slopes are noise) but
    whose gap near the point just evaluated can be forecast cheaply, jumps included:
    each step searches the forecast made at the last point (with a :class:`FixedPointSolver`
    of its own, inside the bracket the evaluated gaps have shown) for the point where
    it is smallest against the tolerance, in all of :data:`FORECAST_STEPS` forecasts (not
    stopping at the first within the tolerance: the gap evaluated there will be what is
    left of the forecast's plus the forecast's error, which near the root is already about
    the tolerance, and forecasts cost a small part of an evaluation). Should the forecasts
    stop closing the gap (the worst gap over the tolerance not halved in two evaluations)
    or send it back to a point evaluated already, the step is the safeguarded one of a
    :class:`FixedPointSolver` fed every evaluation.

    Parameters
    ----------
    low, high
        Bounds of every coordinate.
    """

    def __init__(self, low: np.ndarray, high: np.ndarray) -> None:
        self.safeguarded = FixedPointSolver(low, high)
        self.seen: list[np.ndarray] = []
        self.scores: list[float] = []

    def next(
        self,
        x: np.ndarray,
        gap: np.ndarray,
        tolerance: np.ndarray,
        forecast: Callable[[np.ndarray], np.ndarray] | None,
        ceiling: np.ndarray | None = None,
    ) -> np.ndarray:
        """The next iterate after ``x``, whose gap is ``gap``.

        ``tolerance``: the gap allowed in each coordinate (> 0); ``forecast``: the gap
        forecast at a point from the evaluation at ``x`` (None: only safeguarded steps);
        ``ceiling`` as for :meth:`FixedPointSolver.next`.
        """
        self.seen.append(np.array(x, dtype=float))
        self.scores.append(float(np.max(np.abs(gap) / tolerance)))
        safe = self.safeguarded.next(x, gap, ceiling)
        stalled = len(self.scores) >= 3 and self.scores[-1] > self.scores[-3] / 2
        if forecast is None or stalled:
            return safe
        brackets = np.array([root.bracket() for root in self.safeguarded.roots])
        inner = FixedPointSolver(brackets[:, 0], brackets[:, 1])
        best, best_score = x, math.inf
        point, value = x, gap
        for step in range(FORECAST_STEPS):
            point = inner.next(point, value, ceiling if step == 0 else None)
            value = forecast(point)
            score = float(np.max(np.abs(value) / tolerance))
            if score < best_score:
                best, best_score = point, score
        if any(np.allclose(best, p) for p in self.seen):
            return safe
        return best
