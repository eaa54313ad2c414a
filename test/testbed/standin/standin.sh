#!/bin/sh
# Serve an index page naming the app on every port in STANDIN_PORTS. GitLab's compose sets the
# container port through GITLAB_OMNIBUS_CONFIG's external_url, so that port is served too.
# PID 1 traps TERM so `docker stop` returns at once instead of waiting for the kill timeout.
trap 'exit 0' TERM INT
ports="$STANDIN_PORTS"
url_port=$(printf '%s\n' "$GITLAB_OMNIBUS_CONFIG" | sed -n "s/.*external_url '[a-z]*:\/\/[^:\/']*:\([0-9][0-9]*\).*/\1/p" | head -n 1)
[ -n "$url_port" ] && ports="$ports $url_port"
cat > /www/index.html <<PAGE
<!doctype html>
<html><head><title>$STANDIN_APP stand-in</title></head>
<body><h1>Stand-in for $STANDIN_APP</h1><p>host: $(hostname)</p></body></html>
PAGE
echo ok > /www/health
# A "database" in the format of this image's version (STANDIN_DATA_FORMAT, set at build): data a newer
# version wrote is refused, older data is migrated. STANDIN_FAIL_AFTER_MIGRATE makes a start that
# migrated fail, like an update whose new version migrates the data and then does not come up.
if [ -n "$STANDIN_DATA_FORMAT" ]; then
  for d in ${STANDIN_DATA_DIRS:-/data}; do
    have=$(cat "$d/format" 2>/dev/null || echo 0)
    if [ "$have" -gt "$STANDIN_DATA_FORMAT" ]; then
      echo "data in $d has format $have, newer than this version's $STANDIN_DATA_FORMAT: refusing to start" >&2
      exit 3
    fi
    mkdir -p "$d" && echo "$STANDIN_DATA_FORMAT" > "$d/format"
  done
  if [ -n "$STANDIN_FAIL_AFTER_MIGRATE" ]; then
    echo "migrated the data to format $STANDIN_DATA_FORMAT, then failed to start" >&2
    exit 4
  fi
fi
for p in $ports; do
  httpd -f -p "$p" -h /www &
done
echo "stand-in for $STANDIN_APP serving on:$ports"
while :; do wait; sleep 1; done
