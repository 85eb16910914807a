"""Layers beyond Linear and Conv2d, each in a small file and re-exported by `explainer.nn`.

`functional.py` holds the math of the layers that are built from existing ops (batch norm, the
LSTM cell), so their pictures show every step; the other files hold the modules with torch's
parameter names, shapes and initialisation.
"""
