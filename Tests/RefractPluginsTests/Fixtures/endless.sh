# Writes zeros for ever; records its pid in REFRACT_PARAM_PIDFILE.
echo "$$" > "$REFRACT_PARAM_PIDFILE"
printf 'Content-Type: application/octet-stream\n\n'
exec cat /dev/zero
