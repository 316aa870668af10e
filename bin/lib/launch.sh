# Sourced by the launchers: run_jar MODULE JAR ARGS... builds the project once if the jar is missing.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$ROOT/bin/lib/java.sh"
select_java

run_jar() {
    local module=$1 jar=$2
    shift 2
    if [ ! -f "$ROOT/$module/target/$jar" ]; then
        echo "building copyservices (first run) ..." >&2
        (cd "$ROOT" && ./mvnw -q -B -DskipTests package) >&2 || exit 1
    fi
    local opts=()
    # protobuf-java uses sun.misc.Unsafe; JDK 24+ warns about it on every start unless told it is expected
    [ "$JAVA_MAJOR" -ge 24 ] && opts+=(--sun-misc-unsafe-memory-access=allow)
    exec "$JAVA" "${opts[@]}" ${COPYSERVICES_JAVA_OPTS:-} -jar "$ROOT/$module/target/$jar" "$@"
}
