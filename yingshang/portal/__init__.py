"""Pages that show the platform to people: the home page, layout, health check."""
