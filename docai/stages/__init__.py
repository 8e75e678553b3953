"""The stages a document passes through: ingest, rasterize, classify, grounding, the pipeline, corrections."""
