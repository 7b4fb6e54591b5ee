"""Importers: start a bizmap model from a catalog that already exists (``bizmap import``).

``backstage`` and ``cmdb_csv`` read their sources into nodes; ``catalog`` gives the ids,
finds cycles and writes the model directory with the business facts marked TODO.
"""
