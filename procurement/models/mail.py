"""Mail (邮件): every message the service sends is kept as a row, and sent by a job.

The row is what was sent (the 已发送邮件 list shows it); the job (kind ``mail.send``) carries the
delivery, its retries and its error. A message whose body holds a sign-in secret (a password
reset link) is ``sensitive``: its body is erased once it has been delivered.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procurement.extensions import db
from procurement.models._base import created_at_column, fk, utc


class MailMessage(db.Model):
    """One e-mail to one address."""

    __tablename__ = "mail_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One message per occasion: asking to send the same one twice finds the first.
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    #: What the message is about (``password_reset``, a notification kind, …).
    kind: Mapped[str] = mapped_column(sa.String(48), index=True)
    user_id: Mapped[int | None] = fk("user.id", nullable=True)
    project_id: Mapped[int | None] = fk("project.id", nullable=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str | None] = mapped_column(sa.Text)
    html_body: Mapped[str | None] = mapped_column(sa.Text)
    sensitive: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = created_at_column()
    sent_at: Mapped[datetime | None] = utc()
    job_id: Mapped[int | None] = fk("job.id", nullable=True)
