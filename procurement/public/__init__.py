"""Pages anyone may read: the announcements, results and document verification."""
