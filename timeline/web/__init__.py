"""Everything Dash and Flask: the app factory, the pages, downloads and security."""
