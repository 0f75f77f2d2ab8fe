"""Input files read and validated into plain objects: YAML, GeoJSON, pydantic; no numpy."""
