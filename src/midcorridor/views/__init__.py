"""Views of results: text formats, tables, charts, offline maps and reports, with their assets."""
