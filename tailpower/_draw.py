"""Arguments shared by the public drawing functions of the science packages (private).

A drawing function ``draw_*(..., *, ax=None, fig=None, record=None)`` returns the matplotlib
Figure it drew into: the given ``ax`` (one-panel figures), new axes of the given ``fig``, or a new
figure; ``record`` (a dict) receives the plotted numbers, which the registered figure functions
write to the sidecar. These helpers check those arguments before any work and make the axes.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import numpy as np

from ._extras import require


def pyplot(feature: str = "figures"):
    """pyplot, on the Agg backend unless a display backend was chosen (IPython or an interactive
    session keep theirs); MissingExtraError naming the ``plot`` extra when matplotlib is absent."""
    matplotlib = require("matplotlib", "plot", feature)
    interactive = "IPython" in sys.modules or hasattr(sys, "ps1")
    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "cairo") and not interactive:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def check(quick: Any, ax: Any = None, fig: Any = None, record: Any = None, *, one_panel: bool = True) -> bool:
    """Validate the common arguments (TypeError/ValueError naming ``quick``, ``ax``, ``fig`` or
    ``record``; ``ax`` is refused for a figure of several panels) and return ``quick`` as a bool."""
    if not isinstance(quick, (bool, np.bool_)):
        raise TypeError(f"quick: expected a bool, got {type(quick).__name__}")
    if ax is not None and not one_panel:
        raise TypeError("ax: this figure has several panels; give a Figure as fig (or neither)")
    if ax is not None or fig is not None:
        # an Axes or Figure exists only once its module is loaded: no import needed to refuse a wrong type
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


def axes(ax: Any, fig: Any, figsize: tuple[float, float], feature: str):
    """``(figure, axes)`` of a one-panel figure: ``ax`` itself, else a new axes of ``fig``, else a
    new figure of size ``figsize``."""
    if ax is not None:
        return ax.figure, ax
    if fig is not None:
        return fig, fig.add_subplot()
    fig, ax = pyplot(feature).subplots(figsize=figsize, layout="constrained")
    return fig, ax


def figure(fig: Any, figsize: tuple[float, float], feature: str):
    """The figure of a several-panel drawing: ``fig`` itself (its existing axes are kept), else a
    new one of size ``figsize`` with constrained layout (applied when it is drawn)."""
    if fig is not None:
        return fig
    return pyplot(feature).figure(figsize=figsize, layout="constrained")


def keep(record: dict | None, values: dict) -> None:
    """Put the plotted numbers into the caller's ``record``."""
    if record is not None:
        record.update(values)


#: the text shared by the drawing functions' docstrings, put in place of ``{name}`` lines
SHARED_DOC = {
    "fig": "fig : matplotlib Figure, optional\n    Draw the panels as new axes of ``fig``; by default a new figure.",
    "ax_fig": "ax, fig : matplotlib Axes or Figure, optional\n"
              "    Draw into ``ax``, or into a new axes of ``fig``; by default a new figure.",
    "record": "record : dict, optional\n"
              "    Filled with the plotted numbers (what the registered figure writes to its sidecar).",
    "returns": "Returns\n-------\nmatplotlib.figure.Figure\n    The figure drawn into.",
    "missing_plot": "tailpower._extras.MissingExtraError\n    matplotlib is not installed (the ``plot`` extra).",
}
_PLACEHOLDER = re.compile(r"^([ \t]*)\{(" + "|".join(SHARED_DOC) + r")\}[ \t]*$", re.M)


def shared_doc(fn):
    """Decorator: replace each line ``{name}`` of ``fn``'s docstring by ``SHARED_DOC[name]``,
    indented like the line."""
    if fn.__doc__:
        fn.__doc__ = _PLACEHOLDER.sub(
            lambda m: "\n".join(m.group(1) + line if line else line for line in SHARED_DOC[m.group(2)].split("\n")),
            fn.__doc__)
    return fn
