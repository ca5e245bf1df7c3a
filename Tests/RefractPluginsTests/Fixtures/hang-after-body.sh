# Begins its body, then never ends it; records its pid and its child's in REFRACT_PARAM_PIDFILE.
printf 'Content-Type: text/plain\n\nstarted'
sleep 1000 &
echo "$$ $!" > "$REFRACT_PARAM_PIDFILE"
wait
