"""presentations: presenter scheduling around the academic calendar (models arrive with issue 7)."""
