# Runs rig scenarios one after another and reports them; sourced by ci.sh and
# run-all.sh, which set RIG_DIR first.
#   rig_suite_setup                     Tests/rig/setup.sh (apt-get, once)
#   rig_suite_build_auxchain            the release auxchain; exports AUXCHAIN_BIN
#   rig_suite_run TIMEOUT NAME [ARGS]   one scenario in its own VM boot
#   rig_suite_report                    every result, a summary table, PASS/FAIL lines;
#                                       returns 1 when a scenario failed
# RIG_SUITE_OPTIONS (an array, empty when sourced) holds extra run.sh options.

RIG_SUITE_REPO=$(cd "$RIG_DIR/../.." && pwd)
RIG_SUITE_RESULTS=${RIG_CACHE:-$RIG_SUITE_REPO/.rig-cache}/results
RIG_SUITE_SCRATCH=.build-rigrun
declare -a RIG_SUITE_OPTIONS=()
declare -a rig_suite_names=() rig_suite_rows=()
rig_suite_failed=0

rig_suite_setup() {
    "$RIG_DIR/setup.sh" > /dev/null && return 0
    echo "FAIL rig-setup (Tests/rig/setup.sh could not install the rig's packages)"
    return 1
}

rig_suite_build_auxchain() {
    local log started=$SECONDS
    log=$(mktemp)
    echo "rig: swift build -c release --product auxchain --scratch-path $RIG_SUITE_SCRATCH" >&2
    if ! (cd "$RIG_SUITE_REPO" && swift build -c release --product auxchain --scratch-path "$RIG_SUITE_SCRATCH") > "$log" 2>&1; then
        tail -n 40 "$log"
        rm -f "$log"
        echo "FAIL auxchain-build"
        return 1
    fi
    rm -f "$log"
    echo "rig: release build took $((SECONDS - started)) s" >&2
    export AUXCHAIN_BIN=$RIG_SUITE_REPO/$RIG_SUITE_SCRATCH/release/auxchain
}

rig_suite_run() {
    local timeout=$1 name=$2 load started status verdict headline
    shift 2
    load=$(cut -d' ' -f1 /proc/loadavg)
    started=$SECONDS
    "$RIG_DIR/run.sh" --no-setup --quiet --timeout "$timeout" --results "$RIG_SUITE_RESULTS/$name" \
        "${RIG_SUITE_OPTIONS[@]}" "$name" "$@" > /dev/null
    status=$?
    verdict=PASS
    [ "$status" = 0 ] || { verdict=FAIL; rig_suite_failed=$((rig_suite_failed + 1)); }
    headline=$(cat "$RIG_SUITE_RESULTS/$name/summary.txt" 2>/dev/null || echo -)
    [ "$status" = 0 ] || headline="exit $status: $(grep -h '^FAIL' "$RIG_SUITE_RESULTS/$name/results.txt" 2>/dev/null | tail -n1 || true) $headline"
    rig_suite_names+=("$verdict $name")
    rig_suite_rows+=("$name${*:+ $*}|$verdict|$((SECONDS - started))|$load|$headline")
    echo "rig: $verdict $name ($((SECONDS - started)) s)" >&2
}

rig_suite_report() {
    local name row
    echo
    echo "==== rig results ($RIG_SUITE_RESULTS)"
    for row in "${rig_suite_rows[@]}"; do
        name=${row%%|*}
        name=${name%% *}
        echo
        echo "---- $name"
        cat "$RIG_SUITE_RESULTS/$name/results.txt" 2>/dev/null || echo "(no results.txt; see $RIG_SUITE_RESULTS/$name/console.log)"
    done
    echo
    {
        echo "scenario|result|seconds|host load|headline"
        printf '%s\n' "${rig_suite_rows[@]}"
    } | column -t -s '|' -o '  '
    echo
    printf '%s\n' "${rig_suite_names[@]}"
    [ "$rig_suite_failed" = 0 ]
}
