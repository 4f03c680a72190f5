"""What teachers use: the interactive dashboard and the lesson figures."""
