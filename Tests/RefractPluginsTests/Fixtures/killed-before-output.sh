# Dies by a signal before writing its response.
kill -9 $$
