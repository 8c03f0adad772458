"""spacy-imr: structured records from California workers' compensation IMR determination letters."""
from .about import SCHEMA_VERSION, __version__
from .extensions import register_extensions

register_extensions()

from . import values  # noqa: E402  (registers the msgpack encoders)
from .loading import build_rule_pipeline, load  # noqa: E402

__all__ = ["__version__", "SCHEMA_VERSION", "load", "build_rule_pipeline"]
