"""Frame sources (camera, video file, image) and sinks (window, video file, nothing)."""
