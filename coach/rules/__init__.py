"""Rules: named measurements of a pose, the check and side rule kinds, and exercise definitions."""
