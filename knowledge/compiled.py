"""The optional compiled loops (``knowledge/_bm25.c``, built by ``pip install -e .`` or ``python
setup.py build_ext --inplace``) as one module object, or ``None``: when it was never built (no C
compiler), and when the built file is older than this code (it lacks a function the search
calls: a checkout pulled without building again). Either way the numpy/Python paths run, with
the same answers bit for bit; a stale build is logged once with the command that rebuilds it."""

from __future__ import annotations

import logging

# every function of _bm25.c's method table the Python side calls (read_rows is POSIX only and
# looked up on its own by rowfile.py)
NEEDED = ("accumulate_spans", "accumulate_span_terms", "top", "containing", "layout", "matrix",
          "spread", "windows", "term_hashes", "route", "viterbi",
          "untrack",   # (with read_rows reading the row file's format 4: UTF-16 texts)
          "tf_bytes")  # the accumulate functions read uint8 term frequencies (index format 5)
                       # and rows in 16 bits within spans (format 6: their names)

try:
    from . import _bm25 as loops
except ImportError:  # pragma: no cover - no C compiler where it was installed
    loops = None

if loops is not None and not all(hasattr(loops, name) for name in NEEDED):
    logging.getLogger(__name__).warning(
        "%s was built from an older knowledge/_bm25.c (it lacks %s): searching with the "
        "numpy/Python paths; `python setup.py build_ext --inplace` builds it again",
        loops.__file__, ", ".join(n for n in NEEDED if not hasattr(loops, n)))
    loops = None
