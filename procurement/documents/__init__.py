"""Generated PDFs (WeasyPrint) and file storage outside the web root."""
