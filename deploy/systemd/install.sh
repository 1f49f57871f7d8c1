#!/bin/sh
# Installs rott-sync as a systemd service.
#
#   ./mvnw -B package -DskipTests -DskipInterop
#   sudo deploy/systemd/install.sh [target/quarkus-app]
#
# Puts the application in /opt/rott-sync/quarkus-app, creates the system user rott-sync and its data
# directory /var/lib/rott-sync, keeps an existing /etc/rott-sync/rott-sync.env (else installs the
# commented default), installs /etc/systemd/system/rott-sync.service, then enables and (re)starts it.
# Running it again upgrades the application and keeps data and settings.
#
# DESTDIR=/some/dir stages every file under that directory instead, without creating the user or
# calling systemctl (for packaging and tests).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
app=${1:-$here/../../target/quarkus-app}
dest=${DESTDIR:-}

fail() { echo "install.sh: $*" >&2; exit 1; }

[ -f "$app/quarkus-run.jar" ] || fail "no quarkus-run.jar in $app: build first (./mvnw -B package -DskipTests -DskipInterop)"

java_bin=$(command -v java || true)
if [ -z "$dest" ]; then
  [ "$(id -u)" = 0 ] || fail "run as root (sudo)"
  [ -n "$java_bin" ] || fail "java not found: install a Java 17+ runtime (apt install openjdk-17-jre-headless)"
  major=$("$java_bin" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  [ "${major:-0}" -ge 17 ] 2>/dev/null || fail "java $major found at $java_bin; rott-sync needs 17 or newer"
  if ! getent passwd rott-sync >/dev/null; then
    useradd --system --user-group --home-dir /var/lib/rott-sync --no-create-home \
      --shell /usr/sbin/nologin --comment "rott-sync sync server" rott-sync
  fi
fi

install -d -m 0755 "$dest/opt/rott-sync"
rm -rf "$dest/opt/rott-sync/quarkus-app.new"
cp -R "$app" "$dest/opt/rott-sync/quarkus-app.new"
chmod -R u=rwX,go=rX "$dest/opt/rott-sync/quarkus-app.new"
rm -rf "$dest/opt/rott-sync/quarkus-app"
mv "$dest/opt/rott-sync/quarkus-app.new" "$dest/opt/rott-sync/quarkus-app"

install -d -m 0750 "$dest/var/lib/rott-sync"
install -d -m 0755 "$dest/etc/rott-sync"
if [ ! -f "$dest/etc/rott-sync/rott-sync.env" ]; then
  install -m 0640 "$here/rott-sync.env" "$dest/etc/rott-sync/rott-sync.env"
fi

install -d -m 0755 "$dest/etc/systemd/system"
unit="$dest/etc/systemd/system/rott-sync.service"
install -m 0644 "$here/rott-sync.service" "$unit"
# Point ExecStart at this machine's java when it is not /usr/bin/java.
if [ -n "$java_bin" ]; then
  java_real=$(readlink -f "$java_bin")
  if [ "$(readlink -f /usr/bin/java 2>/dev/null || true)" != "$java_real" ]; then
    sed -i "s|^ExecStart=/usr/bin/java |ExecStart=$java_real |" "$unit"
  fi
fi

if [ -n "$dest" ]; then
  echo "staged rott-sync under $dest"
  exit 0
fi

chown -R rott-sync:rott-sync /var/lib/rott-sync
chgrp rott-sync /etc/rott-sync/rott-sync.env

if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable rott-sync.service
  systemctl restart rott-sync.service
  echo "rott-sync installed and started: systemctl status rott-sync, journalctl -u rott-sync -f"
  echo "check it: sudo -u rott-sync java -jar /opt/rott-sync/quarkus-app/quarkus-run.jar healthcheck"
else
  echo "rott-sync installed; systemd is not running here, so start it with: systemctl enable --now rott-sync"
fi
