"""Verifiable certificates: Open Badges 3.0 credentials signed as VC-JWT, a public verify page,
revocation with a status list, offline verification and Bengali PDFs."""
