"""The optional compiled part of staffbot: ``knowledge/_bm25.c``, the BM25 candidates' inner loops
and the rerank's spans and matrix.

Everything else is in pyproject.toml. Without a C compiler the build goes on without it
(``optional=True``) and ``knowledge/rank.py`` runs its numpy path, with identical results. In a
source checkout: ``python setup.py build_ext --inplace`` (``pip install -e .`` builds it too).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("knowledge._bm25", ["knowledge/_bm25.c"], optional=True,
                             extra_compile_args=["-O2", "-ffp-contract=off"])])
