"""Settings gunicorn reads from the directory it starts in, so that `gunicorn -w 2 app:server` needs no flags."""

# Build the app once, in the master, before the workers fork. An invalid dataset then stops the server at once,
# with its problems printed once (app.py exits with gunicorn's boot-error status), instead of every worker failing
# on its own; and the workers share the loaded data's memory.
preload_app = True
