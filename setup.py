"""Build the optional C core (``papertriage._fastcore``); all metadata is in
pyproject.toml. Without a C compiler the extension is skipped and the
pure-Python code, which gives identical tags, is used."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("papertriage._fastcore", ["src/papertriage/_fastcore.c"], optional=True)])
