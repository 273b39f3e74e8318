"""coach: a webcam stretch coach that checks floor-stretch form from body landmarks."""

__version__ = "0.1.0"
