"""Sign-up, sign-in, sign-out and password change; permissions for every view."""
