# Answers with its whole input, headers ended by CRLF.
printf 'Content-Type: application/octet-stream\r\n\r\n'
exec cat
