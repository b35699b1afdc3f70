"""Object validation with the API server's field paths, cause reasons and message texts."""
