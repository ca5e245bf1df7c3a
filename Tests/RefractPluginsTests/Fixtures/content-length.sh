# Announces REFRACT_PARAM_DECLARED bytes and writes REFRACT_PARAM_BODY.
printf 'Content-Type: text/plain\nContent-Length: %s\n\n%s' "$REFRACT_PARAM_DECLARED" "$REFRACT_PARAM_BODY"
