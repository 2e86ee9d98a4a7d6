"""Open Contracting Data Standard (OCDS 1.1) output: the schemas, the releases built from a
project's state, release and record packages, and exact JSON text.

Nothing here touches Flask or the database: :mod:`procurement.queries.open_data` reads a project
into plain snapshots, :mod:`.releases` turns a snapshot into a release, and the service
``services.open_data`` stores one release per public event, in the event's own transaction.
"""
