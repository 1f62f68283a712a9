"""The catalog: load YAML with positions, validate (JSON Schema and semantics), build the model."""

from metricsctl.catalog.loader import PROJECT_FILE, LoadResult, load_catalog
from metricsctl.catalog.model import Catalog

__all__ = ["PROJECT_FILE", "Catalog", "LoadResult", "load_catalog"]
