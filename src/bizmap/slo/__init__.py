"""Service level objectives: OpenSLO v1 import and export (``bizmap slo``).

``openslo`` maps plain data both ways; ``files`` reads and writes the YAML.
"""
