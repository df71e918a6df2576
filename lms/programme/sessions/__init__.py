"""Training sessions: planning, enrolment within capacity, attendance tapped on a roster or
checked in with the session's QR code."""
