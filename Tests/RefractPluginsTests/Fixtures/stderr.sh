# Writes lines to its standard error (one over 4 KiB, the last without a newline), then answers.
echo 'first line' >&2
printf 'second line\r\n' >&2
head -c 5000 /dev/zero | tr '\0' x >&2
printf '\n\n' >&2
printf 'no newline at the end' >&2
printf 'Content-Type: text/plain\n\nok'
