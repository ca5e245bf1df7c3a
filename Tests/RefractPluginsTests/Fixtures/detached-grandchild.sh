# Leaves a child in its process group, its output closed, and exits; records the child's pid.
sleep 1000 > /dev/null 2>&1 &
echo "$!" > "$REFRACT_PARAM_PIDFILE"
printf 'Content-Type: text/plain\n\nleft a quiet child'
