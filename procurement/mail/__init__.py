"""Sending e-mail: building the MIME message and handing it to a transport (SMTP or the outbox).

Only the ``mail.send`` job calls this (procurement.services.mail); a request never waits for a
mail server.
"""
