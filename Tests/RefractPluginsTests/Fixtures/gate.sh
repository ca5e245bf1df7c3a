# Logs its start, waits until the file REFRACT_PARAM_GATE exists, logs its end, answers.
echo "start $REFRACT_PARAM_NAME" >> "$REFRACT_PARAM_LOG"
while [ ! -e "$REFRACT_PARAM_GATE" ]; do sleep 0.02; done
echo "end $REFRACT_PARAM_NAME" >> "$REFRACT_PARAM_LOG"
printf 'Content-Type: text/plain\n\n%s' "$REFRACT_PARAM_NAME"
