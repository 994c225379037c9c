"""Build the optional compiled parts; all metadata is in pyproject.toml.

* ``papertriage._fastcore``: the C core of the phrase matcher (``_fastcore.c``).
* ``papertriage.claims``: the claims module compiled by mypyc from its own
  source (``claims.py``), about 1.4 times faster; the compiled module is found
  before the source when both are installed.

Each is optional: without a C compiler, without mypyc, on an interpreter mypyc
does not support, or with ``PAPERTRIAGE_PURE_PYTHON=1`` set while building,
the pure-Python code, which gives identical results, is used.
"""

import os
import platform
import sys

from setuptools import Extension, setup


def compiled_claims() -> list[Extension]:
    if platform.python_implementation() != "CPython":
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        return []
    try:
        extensions = mypycify(["--ignore-missing-imports", "--follow-imports=silent", "src/papertriage/claims.py"])
    except BaseException as exc:  # mypy reports problems by exiting
        print(f"papertriage: building without compiled claims ({exc!r})", file=sys.stderr)
        return []
    for ext in extensions:
        ext.optional = True
    return extensions


pure = os.environ.get("PAPERTRIAGE_PURE_PYTHON") == "1"
extensions = [] if pure else [Extension("papertriage._fastcore", ["src/papertriage/_fastcore.c"], optional=True)]
if not pure:
    extensions += compiled_claims()
setup(ext_modules=extensions)
