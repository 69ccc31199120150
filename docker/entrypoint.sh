#!/bin/sh
# The container's entrypoint: fills in the image's locations, then runs the command (staffbot run).
#
# An .env made from .env.example says STAFFBOT_SEEDS=seeds, a path relative to the working
# directory; in the image the seeds folder ships next to the code, so the default name means that
# one. (STAFFBOT_DB=staffbot.db needs nothing: the working directory is the /data volume.)
set -eu
APP=$(cd "$(dirname "$0")/.." && pwd)
case "${STAFFBOT_SEEDS:-}" in
    "" | seeds | seeds/) export STAFFBOT_SEEDS="$APP/seeds" ;;
esac
exec "$@"
