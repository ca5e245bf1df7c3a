# Fails before writing its response.
echo 'warming up' >&2
echo 'boom: it broke' >&2
exit 3
