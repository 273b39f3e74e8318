"""Outputs: the typed report, its writers (JSON, HTML) and the overlay annotator."""
