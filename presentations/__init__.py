"""presentations: presenter groups, their schedule around the academic calendar, swaps, slides
and calendar feeds."""
