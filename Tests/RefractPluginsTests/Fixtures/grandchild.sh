# Leaves a child in its process group, holding its standard output, and exits; records the child's pid.
sleep 1000 &
echo "$!" > "$REFRACT_PARAM_PIDFILE"
printf 'Content-Type: text/plain\n\nleft a child'
