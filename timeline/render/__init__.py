"""Rendering with no web server: standalone HTML, images, PDF, the render limits and the bundled plotly.js."""
