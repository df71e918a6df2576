"""The mentorship list: the top performers referred to mentors, and their meetings."""
