# shellcheck shell=bash
# OpenSearch 3.x, one node, through codelibs' OpenSearchRunner (Maven Central).
# Sourced by scripts/engines/up, after lib.sh.

OPENSEARCH_DIR="$ENGINES_DIR/opensearch"
OPENSEARCH_LOG="$OPENSEARCH_DIR/opensearch.log"
OPENSEARCH_CLUSTER="${OPENSEARCH_CLUSTER:-chainscope-engines}"

opensearch_java() {
  find_java 21 "${OPENSEARCH_JAVA_HOME:-}" \
    || die "opensearch: needs Java 21+ (none under /usr/lib/jvm; set OPENSEARCH_JAVA_HOME)"
}

install_opensearch() {
  mkdir -p "$OPENSEARCH_DIR"
  local java javac src sum
  java="$(opensearch_java)"
  javac="$(dirname "$java")/javac"
  [ -x "$javac" ] || die "opensearch: $javac not found (a JDK, not a JRE, is needed to build the launcher)"
  maven_copy_deps "$ENGINES_SCRIPT_DIR/opensearch/pom.xml" "$OPENSEARCH_DIR/lib"
  src="$ENGINES_SCRIPT_DIR/opensearch/ChainscopeOpenSearch.java"
  sum="$(sha256sum "$src" | cut -c1-16)"
  if [ ! -f "$OPENSEARCH_DIR/classes/.built-from-$sum" ]; then
    log "opensearch: compiling the launcher"
    rm -rf "$OPENSEARCH_DIR/classes"
    "$javac" -nowarn -cp "$OPENSEARCH_DIR/lib/*" -d "$OPENSEARCH_DIR/classes" "$src" >&2
    touch "$OPENSEARCH_DIR/classes/.built-from-$sum"
  fi
}

opensearch_probe() {
  curl -sf --max-time 2 "http://127.0.0.1:$OPENSEARCH_PORT/_cluster/health" | grep -Eq '"status":"(green|yellow)"'
}

start_opensearch() {
  local java
  java="$(opensearch_java)"
  mkdir -p "$OPENSEARCH_DIR/base"
  # shellcheck disable=SC2086
  spawn opensearch "$OPENSEARCH_LOG" "$java" $OPENSEARCH_HEAP_OPTS -Djava.awt.headless=true -XX:+UseG1GC \
    --enable-native-access=ALL-UNNAMED \
    -Dfile.encoding=UTF-8 -Djava.io.tmpdir="$OPENSEARCH_DIR/base" \
    -cp "$OPENSEARCH_DIR/lib/*:$OPENSEARCH_DIR/classes" ChainscopeOpenSearch \
    "$OPENSEARCH_DIR/base" "$OPENSEARCH_PORT" "$OPENSEARCH_TRANSPORT_PORT" "$OPENSEARCH_CLUSTER"
}

wait_opensearch() { wait_healthy opensearch opensearch_probe "$OPENSEARCH_LOG"; }

opensearch_ports() { echo "$OPENSEARCH_PORT,$OPENSEARCH_TRANSPORT_PORT"; }

opensearch_in_use() { port_open "$OPENSEARCH_PORT" || port_open "$OPENSEARCH_TRANSPORT_PORT"; }

export_opensearch() { echo "export OPENSEARCH_URL=http://127.0.0.1:$OPENSEARCH_PORT"; }
