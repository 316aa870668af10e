# Sourced by the launchers: picks a JDK of at least version 21 and sets JAVA_HOME and JAVA.
# Order: JAVA_HOME if it is new enough, then the newest JDK under /usr/lib/jvm.
java_major() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n 1
}

select_java() {
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME")" -ge 21 ] 2>/dev/null; then
        :
    else
        local best="" best_major=0 candidate major
        for candidate in /usr/lib/jvm/*/; do
            candidate=${candidate%/}
            [ -x "$candidate/bin/javac" ] || continue
            major=$(java_major "$candidate")
            if [ -n "$major" ] && [ "$major" -gt "$best_major" ] 2>/dev/null; then
                best=$candidate best_major=$major
            fi
        done
        if [ "$best_major" -lt 21 ]; then
            echo "copyservices needs JDK 21 or newer: set JAVA_HOME to one (none found under /usr/lib/jvm)" >&2
            exit 1
        fi
        JAVA_HOME=$best
    fi
    export JAVA_HOME
    JAVA="$JAVA_HOME/bin/java"
    JAVA_MAJOR=$(java_major "$JAVA_HOME")
}
