# Answers without reading its input, and lingers a little after.
printf 'Content-Type: text/plain\n\nanswered without reading'
sleep 0.2
