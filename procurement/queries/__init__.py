"""The read side: page models and query functions.

Each module builds one area's pages with a number of SQL statements that does not grow with the
rows shown (eager loading or explicit queries). Nothing here commits, writes an audit event or
imports ``procurement.services``; a layering test keeps it so.
"""
