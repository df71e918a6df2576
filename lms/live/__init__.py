"""Live in-session quizzes: trainer-paced, on every tablet, all state in the database."""
