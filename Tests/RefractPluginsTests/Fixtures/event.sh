# Answers with its event file.
printf 'Content-Type: application/json\n\n'
cat "$REFRACT_EVENT"
