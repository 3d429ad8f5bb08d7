"""The cloud tenant: the side that matches, quarantines, soft-deletes and restores."""
