# Writes a broken header section, chosen by REFRACT_PARAM_CASE.
case "$REFRACT_PARAM_CASE" in
no-colon) printf 'Content-Type: text/plain\nthis line has no colon\n\nbody' ;;
no-content-type) printf 'Status: 200 OK\n\nbody' ;;
bad-status) printf 'Status: OK\nContent-Type: text/plain\n\nbody' ;;
huge) printf 'Content-Type: text/plain\nX-Big: '; head -c 20000 /dev/zero | tr '\0' a; printf '\n\nbody' ;;
unfinished) printf 'Content-Type: text/plain\n' ;;
esac
