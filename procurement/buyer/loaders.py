"""Object loaders for buyer views."""
from __future__ import annotations

from flask import abort

from procurement.extensions import db
from procurement.models import Project


def get_project(project_id: int) -> Project:
    """Any project (buyer staff see drafts too).

    :raise 404: when it does not exist.
    """
    project = db.session.get(Project, project_id)
    if project is None:
        abort(404)
    return project
