"""dossier: a static site generator for curated, sourced dossiers."""

__version__ = "0.1.0"
