# shellcheck shell=bash
# Shared by scripts/engines/{up,down,install,status}. Sourced, not run.
#
# Everything an engine writes lives under $ENGINES_DIR (default <repo>/.engines,
# git-ignored): jars, data, logs, pid files. Progress goes to stderr; stdout is
# reserved for the `export ...` lines so that `eval "$(scripts/engines/up)"` works.

set -euo pipefail

ENGINES_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$ENGINES_SCRIPT_DIR/../.." && pwd)"
ENGINES_DIR="${ENGINES_DIR:-$REPO_ROOT/.engines}"
# absolute, because the engines run with other working directories
ENGINES_DIR="$(mkdir -p "$ENGINES_DIR" && cd "$ENGINES_DIR" && pwd)"
ALL_ENGINES=(kafka opensearch clickhouse)

# Ports (override by env). OpenSearch's transport and ClickHouse's TCP and
# interserver ports only need to be free; the exported URLs use the others.
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
OPENSEARCH_PORT="${OPENSEARCH_PORT:-9200}"
OPENSEARCH_TRANSPORT_PORT="${OPENSEARCH_TRANSPORT_PORT:-9300}"
CLICKHOUSE_HTTP_PORT="${CLICKHOUSE_HTTP_PORT:-8123}"
CLICKHOUSE_TCP_PORT="${CLICKHOUSE_TCP_PORT:-9000}"
CLICKHOUSE_INTERSERVER_PORT="${CLICKHOUSE_INTERSERVER_PORT:-9009}"

# Heaps: all three engines plus a Node test process fit in a few GiB.
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
OPENSEARCH_HEAP_OPTS="${OPENSEARCH_HEAP_OPTS:--Xms1g -Xmx1g}"

# How long `up` waits for an engine to answer before it gives up (seconds).
ENGINES_START_TIMEOUT="${ENGINES_START_TIMEOUT:-120}"
# How long `down` waits for an engine to exit before it sends SIGKILL.
ENGINES_STOP_TIMEOUT="${ENGINES_STOP_TIMEOUT:-60}"

log() { printf '[engines] %s\n' "$*" >&2; }
die() { printf '[engines] ERROR: %s\n' "$*" >&2; exit 1; }

# parse_engines ARGS... -> sets ENGINES (array); no names means all three.
parse_engines() {
  ENGINES=()
  local e
  for e in "$@"; do
    case "$e" in
      kafka|opensearch|clickhouse) ENGINES+=("$e") ;;
      all) ENGINES=("${ALL_ENGINES[@]}") ;;
      *) die "unknown engine '$e' (expected: kafka, opensearch, clickhouse)" ;;
    esac
  done
  if [ "${#ENGINES[@]}" -eq 0 ]; then ENGINES=("${ALL_ENGINES[@]}"); fi
}

# port_open PORT -> 0 when something accepts TCP connections on 127.0.0.1:PORT
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# now_s -> seconds since epoch
now_s() { date +%s; }

# elapsed_since START -> "12s"
elapsed_since() { echo "$(( $(now_s) - $1 ))s"; }

# --- processes ---------------------------------------------------------------
# Engines are started as the leader of their own session (setsid), and the pid
# file holds that leader's pid, which is also the process group id: `down`
# signals the whole group, so wrappers such as runuser and their children go too.

pid_file() { echo "$ENGINES_DIR/$1/$1.pid"; }

# running ENGINE -> 0 when the pid file names a live process group
running() {
  local pf pid
  pf="$(pid_file "$1")"
  [ -f "$pf" ] || return 1
  pid="$(cat "$pf" 2>/dev/null || true)"
  [ -n "$pid" ] || return 1
  kill -0 -- "-$pid" 2>/dev/null
}

# spawn ENGINE LOGFILE CMD... : start CMD in the background in a new session,
# stdout+stderr appended to LOGFILE, pid (= pgid) written to the pid file.
spawn() {
  local engine="$1" logfile="$2"
  shift 2
  local pf
  pf="$(pid_file "$engine")"
  rm -f "$pf" "$pf.started"
  # shellcheck disable=SC2016
  nohup setsid bash -c 'echo $$ > "$0"; exec "$@"' "$pf" "$@" >>"$logfile" 2>&1 </dev/null &
  date +%s >"$pf.started"
  local i
  for i in $(seq 1 50); do
    [ -s "$pf" ] && return 0
    sleep 0.1
  done
  die "$engine: could not start (no pid file after 5 s); see $logfile"
}

# stop ENGINE... : TERM each engine's process group from its pid file, then
# wait for each to exit (KILL after ENGINES_STOP_TIMEOUT). Signalling all first
# lets them shut down in parallel.
stop() {
  local engine pf pid deadline
  local stopping=()
  for engine in "$@"; do
    pf="$(pid_file "$engine")"
    if ! running "$engine"; then
      rm -f "$pf" "$pf.started" "$ENGINES_DIR/$engine/$engine.ports"
      log "$engine: not running (nothing started by scripts/engines/up)"
      continue
    fi
    pid="$(cat "$pf")"
    log "$engine: stopping process group $pid"
    kill -TERM -- "-$pid" 2>/dev/null || true
    stopping+=("$engine")
  done
  deadline=$(( $(now_s) + ENGINES_STOP_TIMEOUT ))
  for engine in "${stopping[@]+"${stopping[@]}"}"; do
    pf="$(pid_file "$engine")"
    pid="$(cat "$pf")"
    while kill -0 -- "-$pid" 2>/dev/null; do
      if [ "$(now_s)" -ge "$deadline" ]; then
        log "$engine: still running after ${ENGINES_STOP_TIMEOUT}s, sending SIGKILL"
        kill -KILL -- "-$pid" 2>/dev/null || true
        sleep 1
        break
      fi
      sleep 0.2
    done
    rm -f "$pf" "$pf.started" "$ENGINES_DIR/$engine/$engine.ports"
    log "$engine: stopped"
  done
}

# fail_with_log ENGINE MESSAGE LOGFILE... : print the tail of the logs, exit 1.
fail_with_log() {
  local engine="$1" msg="$2"
  shift 2
  local f
  for f in "$@"; do
    if [ -s "$f" ]; then
      printf '[engines] ---- last lines of %s ----\n' "$f" >&2
      tail -n 30 "$f" >&2
    fi
  done
  die "$engine: $msg"
}

# wait_healthy ENGINE CHECK_FN LOGFILE... : poll CHECK_FN until it succeeds, the
# process dies, or ENGINES_START_TIMEOUT passes.
wait_healthy() {
  local engine="$1" check="$2"
  shift 2
  local start deadline
  start="$(cat "$(pid_file "$engine").started" 2>/dev/null || now_s)"
  deadline=$(( $(now_s) + ENGINES_START_TIMEOUT ))
  while ! "$check" 2>/dev/null; do
    if ! running "$engine"; then
      fail_with_log "$engine" "the process exited before it became healthy" "$@"
    fi
    if [ "$(now_s)" -ge "$deadline" ]; then
      fail_with_log "$engine" "not healthy after ${ENGINES_START_TIMEOUT}s (it is left running; scripts/engines/down $engine stops it)" "$@"
    fi
    sleep 0.5
  done
  log "$engine: healthy, $(elapsed_since "$start") after it was started"
}

# --- java --------------------------------------------------------------------

# java_major JAVA_BIN -> 17, 21, 25 ...
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

# find_java MIN_MAJOR [PREFERRED_HOME] -> path of a java binary with that major version or newer
find_java() {
  local min="$1" preferred="${2:-}" candidate
  local candidates=()
  [ -n "$preferred" ] && candidates+=("$preferred/bin/java")
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  candidates+=("$(command -v java 2>/dev/null || true)")
  # newest first among the installed JDKs (Temurin 21+ lives here on CI)
  while IFS= read -r candidate; do candidates+=("$candidate"); done < <(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -rV)
  for candidate in "${candidates[@]}"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    local major
    major="$(java_major "$candidate" || true)"
    if [ -n "$major" ] && [ "$major" -ge "$min" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

# maven_copy_deps POM OUTDIR : resolve POM's dependencies into OUTDIR (a jar
# folder) unless OUTDIR already holds the result for this exact POM.
maven_copy_deps() {
  local pom="$1" out="$2" stamp sum
  sum="$(sha256sum "$pom" | cut -c1-16)"
  stamp="$out/.resolved-from-pom-$sum"
  if [ -f "$stamp" ]; then return 0; fi
  command -v mvn >/dev/null || die "mvn not found (apt-get install -y maven)"
  log "resolving $(basename "$(dirname "$pom")") jars from Maven Central (cached in ~/.m2)"
  rm -rf "$out.tmp"
  if ! mvn -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$out.tmp" -DincludeScope=runtime >"$out.mvn.log" 2>&1; then
    tail -n 30 "$out.mvn.log" >&2
    die "maven could not resolve $pom (full log: $out.mvn.log)"
  fi
  rm -rf "$out"
  mv "$out.tmp" "$out"
  touch "$stamp"
}
