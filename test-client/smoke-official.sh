#!/usr/bin/env bash
# Runs every client.mjs command against the OFFICIAL sync server 0.2.8 on 127.0.0.1
# (a self-check of the client, not of rott-sync). Needs `npm ci` first. Takes ~2 min.
#   bash smoke-official.sh            # BIG_MB=5 by default
set -u
cd "$(dirname "$0")"
TMP=$(mktemp -d)
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
S=ws://127.0.0.1:$PORT
SERVER_PID=
pass=0 fail=0

start_server() {
  PORT=$PORT DATA_DIR=$TMP/data node official-server.mjs >>"$TMP/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 50); do grep -q "Listening on port $PORT" "$TMP/server.log" 2>/dev/null && return; sleep 0.1; done
  echo "official server did not start"; cat "$TMP/server.log"; exit 1
}
stop_server() { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=; }
trap 'stop_server; rm -rf "$TMP"' EXIT

# check NAME OUTFILE -- client args...: expects exit 0 and one JSON line on stdout
check() {
  local name=$1 out=$2; shift 3
  if node client.mjs "$@" >"$out" 2>"$out.err" && [ "$(wc -l <"$out")" = 1 ] && jq -e . "$out" >/dev/null; then
    pass=$((pass + 1)); echo "ok   $name: $(cut -c1-160 "$out")"
  else
    fail=$((fail + 1)); echo "FAIL $name"; tail -5 "$out.err"
  fi
}
url() { jq -r "${2:-.docs[0].url}" "$1"; }

start_server
for c in v2 v1; do
  check "create $c" "$TMP/create-$c" -- create --server "$S" --client $c --count 3 --text-bytes 1000 --changes 4
  check "fetch $c (expect heads)" "$TMP/fetch-$c" -- fetch --server "$S" --client $c --expect-heads-file "$TMP/create-$c"
  check "expect-unavailable $c" "$TMP/unavail-$c" -- expect-unavailable --server "$S" --client $c
  check "edit $c" "$TMP/edit-$c" -- edit --server "$S" --client $c --url "$(url "$TMP/create-$c")" --set color=red
  check "fetch $c after edit" "$TMP/fetch2-$c" -- fetch --server "$S" --client $c --expect-heads-file "$TMP/edit-$c"
  check "relay $c" "$TMP/relay-$c" -- relay --server "$S" --client $c
  check "ephemeral $c" "$TMP/eph-$c" -- ephemeral --server "$S" --client $c
done
# offline edit + sync through local storage
check "create --storage" "$TMP/stored" -- create --server "$S" --storage "$TMP/local" --text-bytes 100
U=$(url "$TMP/stored")
check "edit --offline" "$TMP/offline" -- edit --offline --storage "$TMP/local" --url "$U" --set offline=yes
check "edit online (other peer)" "$TMP/online" -- edit --server "$S" --url "$U" --set online=yes
check "sync" "$TMP/sync" -- sync --server "$S" --storage "$TMP/local" --url "$U"
jq -e '.fields.offline == "yes" and .fields.online == "yes" and (.heads | length) == 2' "$TMP/sync" >/dev/null \
  && { pass=$((pass + 1)); echo "ok   sync merged both edits"; } || { fail=$((fail + 1)); echo "FAIL sync did not merge"; }
check "many 200" "$TMP/many" -- many --server "$S" --count 200 --timeout 60000
check "big ${BIG_MB:-5} MB" "$TMP/big" -- big --server "$S" --mb "${BIG_MB:-5}" --timeout 180000
# server restart: data persisted; a connected watcher survives the restart
node client.mjs watch --server "$S" --url "$U" --key status --value restarted --timeout 30000 >"$TMP/watch" 2>"$TMP/watch.err" &
WATCH=$!
sleep 1; stop_server; sleep 1; start_server
check "edit after restart" "$TMP/edit3" -- edit --server "$S" --url "$U" --set status=restarted
if wait $WATCH && jq -e .waitedMs "$TMP/watch" >/dev/null; then
  pass=$((pass + 1)); echo "ok   watch across restart: $(cat "$TMP/watch")"
else
  fail=$((fail + 1)); echo "FAIL watch across restart"; tail -5 "$TMP/watch.err"
fi
check "fetch after restart" "$TMP/fetch3" -- fetch --server "$S" --urls-file "$TMP/create-v2" --expect-heads-file "$TMP/fetch2-v2"
check "fetch v1 docs after restart" "$TMP/fetch4" -- fetch --server "$S" --client v1 --expect-heads-file "$TMP/fetch2-v1"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
