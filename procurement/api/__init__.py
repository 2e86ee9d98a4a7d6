"""The public JSON API (``/api/v1/``): read-only, versioned, described by ``openapi.json``.

Projects (paged, filtered), each project's OCDS release package and record, the result
announcements, and document verification by code. Every answer is JSON with an ETag and a
Last-Modified (a repeated request with ``If-None-Match`` or ``If-Modified-Since`` answers 304),
``Cache-Control: public``, and ``Access-Control-Allow-Origin: *``; errors are
``{"error": {"code": ..., "message": ...}}`` with a stable code and a Chinese message.
"""
