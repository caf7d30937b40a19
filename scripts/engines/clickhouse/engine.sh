# shellcheck shell=bash
# ClickHouse from Debian's clickhouse-server package (18.16), run on its own
# folder and ports as the clickhouse user. Sourced by scripts/engines/up.

CLICKHOUSE_DIR="$ENGINES_DIR/clickhouse"
CLICKHOUSE_BIN="${CLICKHOUSE_BIN:-/usr/sbin/clickhouse-server}"
CLICKHOUSE_CONFIG="${CLICKHOUSE_CONFIG:-/etc/clickhouse-server/config.xml}"

as_root() { [ "$(id -u)" -eq 0 ]; }

install_clickhouse() {
  mkdir -p "$CLICKHOUSE_DIR"
  if [ -x "$CLICKHOUSE_BIN" ] && [ -f "$CLICKHOUSE_CONFIG" ]; then return 0; fi
  as_root || die "clickhouse: $CLICKHOUSE_BIN missing; as root: apt-get install -y clickhouse-server clickhouse-client"
  log "clickhouse: installing Debian's clickhouse-server and clickhouse-client"
  if ! apt-cache policy clickhouse-server 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    apt-get update -qq >&2 || die "clickhouse: apt-get update failed"
  fi
  # The package's postinst tries to start the service, which fails without
  # systemd. A policy-rc.d that answers 101 ("action forbidden") makes
  # invoke-rc.d skip the start; only ours is removed afterwards.
  local policy=/usr/sbin/policy-rc.d ours=0 rc=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    ours=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q clickhouse-server clickhouse-client >"$CLICKHOUSE_DIR/apt.log" 2>&1 || rc=$?
  [ "$ours" -eq 1 ] && rm -f "$policy"
  if [ "$rc" -ne 0 ]; then
    # a start hook that still failed leaves the package half-configured; the binaries are what we need
    log "clickhouse: apt-get install exited $rc (see $CLICKHOUSE_DIR/apt.log); checking the binaries"
    DEBIAN_FRONTEND=noninteractive dpkg --configure -a >>"$CLICKHOUSE_DIR/apt.log" 2>&1 || true
  fi
  [ -x "$CLICKHOUSE_BIN" ] && [ -f "$CLICKHOUSE_CONFIG" ] \
    || fail_with_log clickhouse "install failed: $CLICKHOUSE_BIN or $CLICKHOUSE_CONFIG missing" "$CLICKHOUSE_DIR/apt.log"
  id clickhouse >/dev/null 2>&1 || die "clickhouse: the package did not create the clickhouse user"
}

clickhouse_probe() {
  curl -sf --max-time 2 "http://127.0.0.1:$CLICKHOUSE_HTTP_PORT/?query=SELECT%20version()" | grep -Eq '^[0-9]+\.'
}

start_clickhouse() {
  local d="$CLICKHOUSE_DIR"
  mkdir -p "$d/data" "$d/data/tmp" "$d/data/user_files" "$d/data/format_schemas"
  local run=()
  if as_root; then
    # The server refuses to run on files it does not own; as root, run it as
    # the package's clickhouse user, which must be able to reach the folder.
    chown -R clickhouse: "$d/data"
    touch "$d/server.log" "$d/err.log"
    chown clickhouse: "$d/server.log" "$d/err.log"
    runuser -u clickhouse -- test -w "$d/data" \
      || die "clickhouse: the clickhouse user cannot write $d/data (a parent folder is not world-executable?); set ENGINES_DIR to a folder it can reach, e.g. /var/tmp/chainscope-engines"
    run=(runuser -u clickhouse --)
  fi
  spawn clickhouse "$d/stdout.log" "${run[@]}" "$CLICKHOUSE_BIN" --config-file="$CLICKHOUSE_CONFIG" -- \
    --path="$d/data/" --tmp_path="$d/data/tmp/" --user_files_path="$d/data/user_files/" \
    --format_schema_path="$d/data/format_schemas/" \
    --http_port="$CLICKHOUSE_HTTP_PORT" --tcp_port="$CLICKHOUSE_TCP_PORT" \
    --interserver_http_port="$CLICKHOUSE_INTERSERVER_PORT" \
    --logger.log="$d/server.log" --logger.errorlog="$d/err.log" --logger.level=information
}

wait_clickhouse() { wait_healthy clickhouse clickhouse_probe "$CLICKHOUSE_DIR/err.log" "$CLICKHOUSE_DIR/stdout.log"; }

clickhouse_ports() { echo "$CLICKHOUSE_HTTP_PORT,$CLICKHOUSE_TCP_PORT,$CLICKHOUSE_INTERSERVER_PORT"; }

clickhouse_in_use() { port_open "$CLICKHOUSE_HTTP_PORT" || port_open "$CLICKHOUSE_TCP_PORT"; }

export_clickhouse() { echo "export CLICKHOUSE_URL=http://127.0.0.1:$CLICKHOUSE_HTTP_PORT"; }
