"""What powerseek's drawing functions share (private): pyplot on a file backend when nothing was
chosen, the check of the common arguments (``rng, quick, ax, fig, record``) before any work, and
the axes to draw into.

Every ``draw_*`` function of :mod:`powerseek.figures` returns the matplotlib Figure it drew
into: a one-panel figure draws into ``ax``, or a new axes of ``fig``, or a new figure; a
figure of several panels into ``fig`` (its panels are added to it) or a new figure.
"""

from __future__ import annotations

from tailpower import _draw
from tailpower._common import as_generator

TURNER_2021 = "Turner, Smith, Shah, Critch & Tadepalli, 'Optimal Policies Tend to Seek Power', NeurIPS 2021"
TURNER_2022 = ("Turner & Tadepalli, 'Parametrically Retargetable Decision-Makers Tend To Seek Power', "
               "NeurIPS 2022")


def plt():
    """pyplot, on the Agg backend when no display backend was chosen (the command line, tests);
    an error naming the ``plot`` extra without matplotlib."""
    return _draw.pyplot("powerseek figures")


def check(quick, ax, fig, record, *, one_panel: bool = True) -> bool:
    """Validate the common arguments (``rng`` apart: :func:`seed`) before any work."""
    return _draw.check(quick, ax, fig, record, one_panel=one_panel)


def seed(rng) -> int:
    """An integer seed drawn from ``rng`` (the figure's own seed, recorded in its sidecar)."""
    return int(as_generator(rng).integers(2**31))


def axes(ax, fig, figsize):
    """(figure, axes): ``ax`` itself, else a new axes of ``fig``, else a new figure."""
    if ax is not None:
        return ax.figure, ax
    if fig is not None:
        return fig, fig.add_subplot()
    fig, ax = plt().subplots(figsize=figsize)
    return fig, ax


def panels(fig, figsize, ncols: int, **kw):
    """(figure, axes array): ``ncols`` panels side by side in ``fig``, else in a new figure."""
    if fig is not None:
        return fig, fig.subplots(1, ncols, **kw)
    return plt().subplots(1, ncols, figsize=figsize, **kw)


fill = _draw.keep  # copy the plotted numbers into the caller's ``record`` (if any)
