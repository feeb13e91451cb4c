"""Demo content for trying the service: an author account and published quizzes."""
