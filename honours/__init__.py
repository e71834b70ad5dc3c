"""The register of good people (好人库): persons, honours, their history and privacy."""
