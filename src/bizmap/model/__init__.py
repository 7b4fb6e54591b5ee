"""The model as written: YAML loading and checking, export to diagrams, and importers that
write models from other catalogs (Backstage, CMDB CSV)."""
