"""cutover: the whole migration of a pool as one resumable run (issue 10)."""
