"""Session feedback from participants and trainers."""
