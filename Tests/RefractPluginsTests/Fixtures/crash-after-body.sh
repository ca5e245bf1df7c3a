# Fails after its response began.
printf 'Content-Type: text/plain\n\npartial'
echo 'lost the thread' >&2
exit 4
