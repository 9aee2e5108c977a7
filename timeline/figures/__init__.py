"""Plotly figures: one timeline engine with variants for dashboard, embed, print and presentation. No Dash."""
