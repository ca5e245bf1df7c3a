# Never answers; records its pid and its child's in REFRACT_PARAM_PIDFILE.
sleep 1000 &
echo "$$ $!" > "$REFRACT_PARAM_PIDFILE"
wait
