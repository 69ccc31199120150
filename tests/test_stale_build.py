"""A compiled ``knowledge/_bm25`` built from an older source (a checkout pulled without building
again) lacks functions the search now calls: the search must still answer, through the
numpy/Python paths, and say once how to build it again (``knowledge/compiled.py``). The stale
build here is a real one: a copy of the package with a ``_bm25.c`` that has only ``top``,
compiled with setuptools, as an old checkout's would be."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

OLD_SOURCE = r"""
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *
top(PyObject *self, PyObject *args)
{
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"top", top, METH_VARARGS, "An older build's only function."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_bm25", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__bm25(void)
{
    return PyModule_Create(&module);
}
"""


@pytest.mark.skipif(shutil.which(sysconfig.get_config_var("CC").split()[0]
                                 if sysconfig.get_config_var("CC") else "cc") is None,
                    reason="no C compiler to build a stale extension with")
def test_a_stale_compiled_build_is_set_aside_and_the_search_answers(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    for part in ("knowledge", "bot", "seeds"):
        shutil.copytree(ROOT / part, checkout / part,
                        ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__"))
    shutil.copy(ROOT / "setup.py", checkout / "setup.py")
    (checkout / "knowledge" / "_bm25.c").write_text(OLD_SOURCE, encoding="utf-8")
    built = subprocess.run([sys.executable, "setup.py", "build_ext", "--inplace"], cwd=checkout,
                           capture_output=True, text=True)
    if not list((checkout / "knowledge").glob("_bm25*.so")):
        pytest.skip(f"the stale extension did not build: {built.stderr[-300:]}")

    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--db", str(tmp_path / "kb.db"), "ask", "--json",
         "怎样为基层减负"], cwd=checkout, capture_output=True, text=True, encoding="utf-8",
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(checkout), "HOME": str(tmp_path)})

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] == "answer"
    assert "减负" in answer["hits"][0]["excerpt"]
    assert "built from an older knowledge/_bm25.c" in result.stderr
    assert "build_ext --inplace" in result.stderr
