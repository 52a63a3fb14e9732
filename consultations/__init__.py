"""Consultations: residents write statements, vote agree / disagree / pass, and the opinion map
shows where a district agrees and disagrees.

The analysis is pure NumPy / SciPy / scikit-learn and imports nothing of ours:

- :mod:`consultations.matrix` — the participants × statements vote matrix;
- :mod:`consultations.analysis` — :func:`~consultations.analysis.opinion_map` (PCA, groups,
  representative and consensus statements) and its plain-data result;
- :mod:`consultations.polis_io` — readers for Pol.is export folders;
- ``python -m consultations map FOLDER --json`` — the map of a Pol.is export from the shell.

This module imports nothing on purpose, so that importing the package stays cheap.
"""
