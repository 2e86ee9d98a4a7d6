"""Slow work off the request (design.md §9): documents rendered by the queue's workers.

A command records its decision and a :class:`~procurement.models.Job` row in its transaction
(``services.jobs.create``); once it commits the job's id goes to the queue
(:mod:`procurement.jobs.queue`: RQ on Redis, or this process after the response when there is
no Redis). A run (:mod:`procurement.jobs.runner`) renders and stages each document outside any
transaction and applies the result in one final short transaction. Jobs are idempotent (each
step finds its staged document, the final transaction does nothing twice) and retried; a job
that keeps failing is shown to buyer staff with its error and a retry button.

``flask worker`` runs an RQ worker with the app; ``flask jobs resume`` sends the jobs a dead
process left queued or running again (a worker does so when it starts).
"""
