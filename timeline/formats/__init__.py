"""Readers and writers: curated YAML, flat CSV, and the export formats."""
