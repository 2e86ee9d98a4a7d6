"""Panel members (询比价小组成员): declarations, review, report signature."""
