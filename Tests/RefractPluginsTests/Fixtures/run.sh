#!/bin/sh
# Started as ./run.sh: answers with its working directory and arguments.
printf 'Content-Type: text/plain\n\n'
pwd
echo "$@"
