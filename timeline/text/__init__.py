"""Reader-facing text: event text, dates, credits and the Jinja2 templates."""
