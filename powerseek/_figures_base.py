"""What powerseek's drawing functions share (private): pyplot on a file backend when nothing was
chosen, the check of the common arguments (``rng, quick, ax, fig, record``) before any work, and
the axes to draw into.

Every ``draw_*`` function of :mod:`powerseek.figures` returns the matplotlib Figure it drew
into: a one-panel figure draws into ``ax``, or a new axes of ``fig``, or a new figure; a
figure of several panels into ``fig`` (its panels are added to it) or a new figure.
"""

from __future__ import annotations

import sys

import numpy as np

from tailpower._common import as_generator

TURNER_2021 = "Turner, Smith, Shah, Critch & Tadepalli, 'Optimal Policies Tend to Seek Power', NeurIPS 2021"
TURNER_2022 = ("Turner & Tadepalli, 'Parametrically Retargetable Decision-Makers Tend To Seek Power', "
               "NeurIPS 2022")


def plt():
    """pyplot, on the Agg backend when no display backend was chosen (the command line, tests)."""
    import matplotlib

    interactive = "IPython" in sys.modules or hasattr(sys, "ps1")
    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "cairo") and not interactive:
        matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    return pyplot


def check(quick, ax, fig, record, *, one_panel: bool = True) -> bool:
    """Validate the common arguments (``rng`` apart: :func:`seed`) before any work."""
    if not isinstance(quick, (bool, np.bool_)):
        raise TypeError(f"quick: expected a bool, got {type(quick).__name__}")
    if ax is not None and not one_panel:
        raise TypeError("ax: this figure has several panels; give a Figure as fig (or neither)")
    if ax is not None or fig is not None:
        # an Axes or Figure exists only once its module is loaded: no import to refuse a wrong type
        axes_mod, figure_mod = sys.modules.get("matplotlib.axes"), sys.modules.get("matplotlib.figure")
        if ax is not None and not (axes_mod is not None and isinstance(ax, axes_mod.Axes)):
            raise TypeError(f"ax: expected a matplotlib Axes or None, got {type(ax).__name__}")
        if fig is not None and not (figure_mod is not None and isinstance(fig, figure_mod.Figure)):
            raise TypeError(f"fig: expected a matplotlib Figure or None, got {type(fig).__name__}")
        if ax is not None and fig is not None and ax.figure is not fig:
            raise ValueError("ax: belongs to another figure than fig; give one of them")
    if record is not None and not isinstance(record, dict):
        raise TypeError(f"record: expected a dict or None, got {type(record).__name__}")
    return bool(quick)


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


def fill(record, values: dict) -> None:
    """Copy the plotted numbers into the caller's ``record`` (if any)."""
    if record is not None:
        record.update(values)
