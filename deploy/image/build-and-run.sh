#!/usr/bin/env bash
# Builds the rott-sync container image with Jib for real and runs it, without a container engine.
#
#   sudo deploy/image/build-and-run.sh        (CI runs it from .ci/run after the Maven tests)
#
#  1. A JRE base image from Debian packages for linux/amd64 and linux/arm64: mmdebstrap (bookworm,
#     openjdk-17-jre-headless) -> umoci -> one OCI image index. The published image uses Eclipse Temurin
#     instead (application.properties); this one exists because nothing can be pulled here.
#  2. A registry on 127.0.0.1:5000 (Debian's docker-registry, storage in a temporary directory), with
#     the base image pushed to it.
#  3. ./mvnw package with the image properties of application.properties (both platforms), pushing the
#     image to that registry.
#  4. Pulls the image index back (skopeo), checks both platforms' configuration (user, env, ports,
#     labels, entry point) and unpacks the linux/amd64 image (umoci). arm64 cannot run here.
#  5. Runs it as a container runtime would: own mount/pid/net/uts namespaces, root filesystem read-only,
#     tmpfs on /tmp, a data directory mounted at /data, as the image's uid; then as Synology's 1026:100.
#  6. The real npm automerge-repo client syncs documents through it; the image's own `healthcheck`
#     command and /q/health/* answer; a restart keeps the documents; an unwritable /data stops the
#     server with a message naming DATA_DIR.
#
# Needs root (namespaces, chroot). Installs mmdebstrap, umoci, skopeo, docker-registry and iproute2 with
# apt when missing. Leaves nothing behind: the registry and servers it started are stopped and its
# temporary directory is removed (KEEP_WORK=1 keeps it). BASE_OCI=/path/base-oci reuses the base image
# layout of an earlier run (KEEP_WORK=1) instead of building one.
set -euo pipefail

ROOT_DIR=$(cd "$(dirname "$0")/../.." && pwd)
REGISTRY=${REGISTRY:-127.0.0.1:5000}
IMAGE_REF="$REGISTRY/rottsync/rott-sync:local-test"
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
START=$(date +%s)

say() { printf '\n== %s (%ss)\n' "$*" "$(($(date +%s) - START))"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root: the image is unpacked and run with chroot in new namespaces"

# ---------------------------------------------------------------- tools
need=()
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v umoci >/dev/null || need+=(umoci)
command -v skopeo >/dev/null || need+=(skopeo)
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v ip >/dev/null || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]} with apt"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v node >/dev/null || fail "node (20+) is needed for the automerge-repo test client"

WORK=$(mktemp -d /tmp/rott-image.XXXXXX)
PIDS=()
cleanup() {
  local code=$? pid child
  for pid in "${PIDS[@]}"; do
    # A container's process (pid 1 of its namespace) first, then the unshare or registry process.
    for child in $(cat "/proc/$pid/task/$pid/children" 2>/dev/null); do kill -KILL "$child" 2>/dev/null || true; done
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
  if [ $code -eq 0 ]; then echo "image check passed in $(($(date +%s) - START)) s"; else echo "image check FAILED (exit $code)"; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- 1. base image
# make_rootfs ARCH VARIANT: a Debian bookworm root file system with the Java 17 runtime, as a tar.
make_rootfs() {
  # Keep man page directories: the JRE's postinst registers alternatives with man slaves.
  mmdebstrap --quiet --variant="$2" --architectures="$1" --include=openjdk-17-jre-headless \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    bookworm "$WORK/rootfs-$1.tar" \
    "deb $DEBIAN_MIRROR bookworm main" \
    "deb $DEBIAN_MIRROR bookworm-updates main" \
    "deb ${DEBIAN_MIRROR%/debian}/debian-security bookworm-security main"
}
# add_base ARCH: the rootfs as an image in the OCI layout, tagged ARCH.
add_base() {
  umoci new --image "$WORK/base-oci:$1"
  umoci raw add-layer --image "$WORK/base-oci:$1" "$WORK/rootfs-$1.tar"
  umoci config --image "$WORK/base-oci:$1" --os linux --architecture "$1" \
    --config.env "PATH=/usr/lib/jvm/java-17-openjdk-$1/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --config.env "JAVA_HOME=/usr/lib/jvm/java-17-openjdk-$1"
  rm -f "$WORK/rootfs-$1.tar"
}
if [ -n "${BASE_OCI:-}" ]; then
  say "reusing the base image layout $BASE_OCI"
  cp -r "$BASE_OCI" "$WORK/base-oci"
else
  # amd64 is installed for real (maintainer scripts run): it is the one this machine runs. arm64 can
  # only be unpacked here (no emulator); it is built into the image but not run.
  say "building a JRE base image from Debian packages: linux/amd64 (mmdebstrap minbase)"
  make_rootfs amd64 minbase
  say "and linux/arm64 (mmdebstrap extract: unpacked, not run)"
  make_rootfs arm64 extract
  umoci init --layout "$WORK/base-oci"
  add_base amd64
  add_base arm64
  # One tag for both: an OCI image index, as multi-arch images on a public registry are.
  node "$ROOT_DIR/deploy/image/oci-index.mjs" "$WORK/base-oci" 17 amd64 arm64
fi

# ---------------------------------------------------------------- 2. registry
say "starting a registry on $REGISTRY and pushing the base image to it"
if (exec 3<>"/dev/tcp/${REGISTRY%:*}/${REGISTRY#*:}") 2>/dev/null; then
  fail "something already listens on $REGISTRY; set REGISTRY=127.0.0.1:PORT to use another port"
fi
cat > "$WORK/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $WORK/registry
http:
  addr: $REGISTRY
EOF
docker-registry serve "$WORK/registry.yml" > "$WORK/registry.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  if node -e "fetch('http://$REGISTRY/v2/').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
    break
  fi
  sleep 0.2
done
BASE_REF="$REGISTRY/rott-sync-base:17"
skopeo copy --quiet --all --dest-tls-verify=false "oci:$WORK/base-oci:17" "docker://$BASE_REF"

# ---------------------------------------------------------------- 3. Jib build
# Every image setting comes from application.properties, platforms included; only the base image (the
# local one instead of Temurin) and where to push differ from the published build.
say "building the image with Jib for linux/amd64 and linux/arm64, pushing it to $REGISTRY"
(cd "$ROOT_DIR" && ./mvnw -B -q package -DskipTests -DskipInterop \
  -Dquarkus.container-image.build=true -Dquarkus.container-image.push=true \
  -Dquarkus.container-image.registry="$REGISTRY" -Dquarkus.container-image.insecure=true \
  -Dquarkus.container-image.tag=local-test \
  -Dquarkus.jib.base-jvm-image="$BASE_REF") \
  > "$WORK/jib.log" 2>&1 || { cat "$WORK/jib.log"; fail "Jib build"; }
grep -E 'Pushed container image|Created container image' "$WORK/jib.log" || true

# ---------------------------------------------------------------- 4. inspect and unpack
say "pulling $IMAGE_REF back and checking both platforms' configuration"
skopeo inspect --tls-verify=false --raw "docker://$IMAGE_REF" > "$WORK/image-index.json"
for arch in amd64 arm64; do
  skopeo --override-arch "$arch" inspect --tls-verify=false --config "docker://$IMAGE_REF" > "$WORK/config-$arch.json"
  digest=$(node -e '
    const index = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
    const entry = (index.manifests ?? []).find(m => m.platform?.architecture === process.argv[2])
    console.log(entry ? entry.digest : "")' "$WORK/image-index.json" "$arch")
  [ -n "$digest" ] || { cat "$WORK/image-index.json"; fail "the image has no linux/$arch entry"; }
  skopeo inspect --tls-verify=false --raw "docker://${IMAGE_REF%:*}@$digest" > "$WORK/manifest-$arch.json"
done
node "$ROOT_DIR/deploy/image/check-image-config.mjs" "$WORK" amd64 arm64
skopeo copy --quiet --override-arch amd64 --src-tls-verify=false "docker://$IMAGE_REF" "oci:$WORK/app-oci:app"
umoci unpack --image "$WORK/app-oci:app" "$WORK/bundle" > /dev/null
ROOTFS="$WORK/bundle/rootfs"
# What a runtime would run: user, working directory, environment and arguments from the image.
eval "$(node -e '
  const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).process
  const q = s => "\x27" + String(s).replace(/\x27/g, "\x27\\\x27\x27") + "\x27"
  console.log(`IMG_UID=${c.user.uid}; IMG_GID=${c.user.gid}; IMG_CWD=${q(c.cwd)}`)
  console.log(`IMG_ENV=(${c.env.map(q).join(" ")})`)
  console.log(`IMG_ARGS=(${c.args.map(q).join(" ")})`)
' "$WORK/bundle/config.json")"
echo "image user $IMG_UID:$IMG_GID, working directory $IMG_CWD"
echo "entry point: ${IMG_ARGS[*]}"
[ "$(stat -c %u "$ROOTFS$IMG_CWD")" = "$IMG_UID" ] || fail "$IMG_CWD is not owned by the image uid $IMG_UID"
[ ! -e "$ROOTFS/data" ] || echo "note: the image has /data: $(stat -c '%u:%g %a' "$ROOTFS/data")"
mkdir -p "$ROOTFS/data"   # the mount point a runtime creates for a volume
touch "$ROOTFS/etc/hosts" # and the file it mounts its hosts file on

# ---------------------------------------------------------------- 5. running it
# start_container NAME UID:GID DATA_DIR_ON_HOST [VAR=VALUE...]: runs the image's entry point in new
# namespaces with the root filesystem read-only and tmpfs on /tmp; sets CONTAINER_PID (in its net ns).
start_container() {
  local name=$1 user=$2 data=$3; shift 3
  printf '127.0.0.1 localhost %s\n::1 localhost\n' "$name" > "$WORK/hosts-$name"
  TMP_OPTS="${TMP_OPTS:-}" unshare --mount --pid --net --uts --fork --kill-child -- bash -c '
    set -e
    r=$1 data=$2 hosts=$3 name=$4 user=$5 cwd=$6; shift 6
    ip link set lo up
    hostname "$name"
    mount --make-rprivate /
    mount --bind "$r" "$r"
    mount -t proc proc "$r/proc"
    mount --rbind /dev "$r/dev"
    mount -t tmpfs -o "mode=1777,size=64m${TMP_OPTS:+,$TMP_OPTS}" tmpfs "$r/tmp"
    mount --bind "$data" "$r/data"
    mount --bind "$hosts" "$r/etc/hosts"
    mount -o remount,bind,ro "$r"
    exec chroot --userspec="$user" "$r" /usr/bin/env -i -C "$cwd" HOSTNAME="$name" HOME=/ "$@"
  ' start "$ROOTFS" "$data" "$WORK/hosts-$name" "$name" "$user" "$IMG_CWD" \
    "${IMG_ENV[@]}" "$@" "${IMG_ARGS[@]}" > "$WORK/$name.log" 2>&1 &
  CONTAINER_PID=$!
  PIDS+=("$CONTAINER_PID")
}

# in_container CMD...: runs a host command (the test client, fetch) in the container's network namespace.
in_container() { nsenter --net="/proc/$CONTAINER_PID/ns/net" "$@"; }

# exec_in_container UID:GID CMD...: like `docker exec`: the container's namespaces, root, user and env.
exec_in_container() {
  local user=$1; shift
  local child
  child=$(cat "/proc/$CONTAINER_PID/task/$CONTAINER_PID/children" | awk '{print $1}')
  nsenter --target "$child" --mount --net --uts --pid --root --wd \
    --setuid "${user%:*}" --setgid "${user#*:}" /usr/bin/env -i "${IMG_ENV[@]}" "$@"
}

await_ready() {
  for _ in $(seq 150); do
    kill -0 "$CONTAINER_PID" 2>/dev/null || { cat "$WORK/$1.log"; fail "container $1 exited before it was ready"; }
    if in_container node -e "fetch('http://127.0.0.1:9000/q/health/ready').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
      return 0
    fi
    sleep 0.2
  done
  cat "$WORK/$1.log"; fail "container $1 not ready after 30 s"
}

# await_exit NAME: the container must stop by itself (with a non-zero status) within 60 s.
await_exit() {
  for _ in $(seq 300); do
    if ! kill -0 "$CONTAINER_PID" 2>/dev/null; then
      local status=0
      wait "$CONTAINER_PID" || status=$?
      [ $status -ne 0 ] || fail "container $1 exited with status 0"
      echo "container $1 stopped by itself with status $status"
      return 0
    fi
    sleep 0.2
  done
  fail "container $1 still runs after 60 s"
}

stop_container() {
  local child
  child=$(cat "/proc/$CONTAINER_PID/task/$CONTAINER_PID/children" | awk '{print $1}')
  kill -TERM "$child"
  wait "$CONTAINER_PID" || true
}

client() { (cd "$ROOT_DIR/test-client" && in_container node client.mjs "$@"); }

[ -d "$ROOT_DIR/test-client/node_modules" ] || (cd "$ROOT_DIR/test-client" && npm ci --no-audit --no-fund --loglevel=error)

say "run 1: a fresh root-owned volume (no ownership fix) as uid $IMG_UID: must stop with a clear message"
mkdir -p "$WORK/vol-root" && chmod 755 "$WORK/vol-root"
start_container rott-unwritable "$IMG_UID:$IMG_GID" "$WORK/vol-root"
await_exit rott-unwritable
grep -q '^DATA_DIR=/data ' "$WORK/rott-unwritable.log" || { cat "$WORK/rott-unwritable.log"; fail "no message naming DATA_DIR"; }
echo "its output:"; sed 's/^/  | /' "$WORK/rott-unwritable.log"

say "run 2: the compose stacks' one-shot ownership fix (chown in the image, as root), then the server as uid $IMG_UID"
mkdir -p "$WORK/vol" && chmod 755 "$WORK/vol"
unshare --mount -- bash -c 'mount --make-rprivate / && mount --bind "$2" "$1/data" && chroot "$1" chown -R 185:0 /data' \
  fix "$ROOTFS" "$WORK/vol"
start_container rott-sync "$IMG_UID:$IMG_GID" "$WORK/vol"
T0=$(date +%s%N)
await_ready rott-sync
echo "ready $(( ($(date +%s%N) - T0) / 1000000 )) ms after start (read-only root, tmpfs /tmp, uid $IMG_UID)"
grep -m1 'rott-sync ready' "$WORK/rott-sync.log"

say "the image's own healthcheck command (as compose runs it), /q/health/ready and /q/health/live"
T0=$(date +%s%N)
exec_in_container "$IMG_UID:$IMG_GID" java -XX:TieredStopAtLevel=1 -jar "$IMG_CWD/quarkus-run.jar" healthcheck
echo "healthcheck: exit 0 in $(( ($(date +%s%N) - T0) / 1000000 )) ms"
in_container node -e "
  for (const p of ['ready', 'live']) {
    const r = await fetch('http://127.0.0.1:9000/q/health/' + p)
    const body = await r.text()
    console.log('/q/health/' + p, r.status, body.replace(/\s+/g, ' '))
    if (r.status !== 200 || !body.includes('\"UP\"')) process.exit(1)
  }" --input-type=module

say "real automerge-repo clients sync through the image (ws://127.0.0.1:3030)"
client relay --server ws://127.0.0.1:3030 > "$WORK/relay.json"
cat "$WORK/relay.json"
client create --server ws://127.0.0.1:3030 --count 3 --changes 2 > "$WORK/created.json"
echo "created: $(node -e 'const j=require(process.argv[1]); console.log(j.docs.map(d=>d.url).join(" "))' "$WORK/created.json")"

say "restart with the same volume: the documents are still there"
stop_container
grep -q 'rott-sync ready' "$WORK/rott-sync.log"
start_container rott-sync-2 "$IMG_UID:$IMG_GID" "$WORK/vol"
await_ready rott-sync-2
client fetch --server ws://127.0.0.1:3030 --urls-file "$WORK/created.json" --expect-heads-file "$WORK/created.json" \
  > "$WORK/fetched.json"
node -e 'const j=require(process.argv[1]); if (j.docs.length !== 3) process.exit(1); console.log("fetched", j.docs.length, "documents with the expected heads after a restart")' "$WORK/fetched.json"
echo "data files owned by: $(find "$WORK/vol" -type f -printf '%U:%G\n' | sort -u | tr '\n' ' ')"
stop_container

say "run 3: Synology's user: 1026:100 on a folder that user owns"
mkdir -p "$WORK/vol-1026" && chown 1026:100 "$WORK/vol-1026"
start_container rott-synology 1026:100 "$WORK/vol-1026"
await_ready rott-synology
exec_in_container 1026:100 java -jar "$IMG_CWD/quarkus-run.jar" healthcheck
client relay --server ws://127.0.0.1:3030 > /dev/null && echo "relay through the image as 1026:100: ok"
owners=$(find "$WORK/vol-1026" -type f -printf '%U:%G\n' | sort -u | tr '\n' ' ')
echo "data files owned by: $owners"
[ "$owners" = "1026:100 " ] || fail "files in the data dir should belong to 1026:100"
stop_container

say "run 4: uid 1026:100 on a folder it may not write: the message a Synology user sees"
mkdir -p "$WORK/vol-denied" && chown 1024:100 "$WORK/vol-denied" && chmod 755 "$WORK/vol-denied"
start_container rott-denied 1026:100 "$WORK/vol-denied"
await_exit rott-denied
grep -q '^DATA_DIR=/data ' "$WORK/rott-denied.log" || { cat "$WORK/rott-denied.log"; fail "no message naming DATA_DIR"; }
echo "its output:"; sed 's/^/  | /' "$WORK/rott-denied.log"

say "run 5: /tmp mounted noexec (a container tmpfs default): must stop with a clear message"
TMP_OPTS=noexec start_container rott-noexec "$IMG_UID:$IMG_GID" "$WORK/vol"
await_exit rott-noexec
grep -q 'Automerge native library cannot be loaded' "$WORK/rott-noexec.log" || { cat "$WORK/rott-noexec.log"; fail "no message about the native library"; }
echo "its output:"; sed 's/^/  | /' "$WORK/rott-noexec.log"
