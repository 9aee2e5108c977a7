"""Pure queries over the frame: filters, URL state, story steps and the as-known-on view. No Dash or Flask."""
