"""Sphinx configuration of the tailpower documentation (``make docs``).

The API pages, the claims-ledger table, the figure gallery and the examples page are generated at
build time by the local extension ``_ext/tailpower_docs.py`` from the code itself, so they cannot
drift from it. The build runs with warnings as errors (``sphinx-build -W``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))  # document the checkout being built, whatever is installed
os.environ.setdefault("MPLBACKEND", "Agg")

import warnings  # noqa: E402

import tailpower  # noqa: E402

# numpydoc reports docstrings with unknown or mis-underlined sections as Python warnings; the
# docstrings of the science packages are being completed, and tests/house/test_docstrings.py
# lists the gaps instead. (Sphinx's own warnings stay errors.)
warnings.filterwarnings("ignore", category=UserWarning, module="numpydoc")

project = "tailpower"
author = "The tailpower developers"
copyright = "2026, The tailpower developers"
version = release = tailpower.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "tailpower_docs",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", ".gitignore"]
templates_path = ["_templates"]
root_doc = "index"

# MyST: $...$ and $$...$$ maths, ::: fences, definition lists, heading anchors for cross-links
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# API reference: autosummary writes one page per public object; numpydoc renders the sections.
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc Parameters sections give the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()  # completeness is reported by tests/house instead
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = False

html_theme = "pydata_sphinx_theme"
html_title = f"tailpower {release}"
html_theme_options = {
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path: list[str] = []
html_show_sourcelink = False
