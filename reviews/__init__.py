"""reviews: public paper reviews with writing guidance (models arrive with issue 6)."""
