"""reviews: public paper reviews with writing guidance."""
