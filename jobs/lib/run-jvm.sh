# Sourced by jobs/lakeml: runs a local lakeml JVM and keeps the launcher's exit-code promise
# (0 done, 1 failed, 2 usage) when the JVM is stopped from inside.
#
# Spark ends the JVM with exit code 52 when a thread dies of an uncaught error, which in practice is
# java.lang.OutOfMemoryError; the JVM then prints no summary and the user sees "SparkContext was shut
# down" at best. run_jvm turns that into exit 1 with a message naming memory and the setting to
# change, and a FAILED summary as stdout's last line. Signals (cron, Airflow, Ctrl-C) are passed on
# to the JVM, which stops as if signalled directly. jit_opts gives the local JVM's JIT thresholds.

# run_jvm COMMAND_NAME JAVA_ARGS…
run_jvm() {
  local command_name="$1"
  shift
  "$@" &
  local pid=$!
  trap 'kill -TERM "$pid" 2>/dev/null' TERM INT HUP
  local rc=0
  wait "$pid" || rc=$?
  # a signal interrupts wait, not the JVM: wait for the JVM's own exit
  while kill -0 "$pid" 2>/dev/null; do
    rc=0
    wait "$pid" || rc=$?
  done
  trap - TERM INT HUP
  if [ "$rc" = 52 ]; then
    local memory="${LAKEML_DRIVER_MEMORY:-2g}"
    local message="the JVM was stopped by Spark (exit 52: an uncaught error in a Spark thread, almost always java.lang.OutOfMemoryError). The driver heap is ${memory}: raise it with LAKEML_DRIVER_MEMORY (e.g. LAKEML_DRIVER_MEMORY=8g jobs/lakeml ${command_name} …) and rerun the same command; finished stages are skipped, the stage that died is redone. Its ledger row in _system.runs is missing (the JVM had no chance to write it)."
    echo "lakeml: ${message}" >&2
    printf '{"job":"%s","status":"FAILED","exitCode":1,"message":"%s"}\n' "${command_name}" "${message//\"/\\\"}"
    return 1
  fi
  return "$rc"
}

# jit_opts: C2 (HotSpot's optimizing JIT) only for code ten times hotter than the JVM's default
# thresholds. A command on small data is mostly code that runs a few thousand times: on 2 cores C2
# spent ~35 s of CPU compiling it during a 38 s titanic nightly, beside the driver and the tasks.
# Loops over real data still cross the higher thresholds (a loop's back edges count): a 1M-row
# nightly was no slower, at 10M tune and score were 5-13 % slower (docs/benchmarks, 2026-12-07), hence
# the switch. Empty with LAKEML_JIT=default, or when LAKEML_JAVA_OPTS names a tiered option itself.
jit_opts() {
  if [ "${LAKEML_JIT:-}" = "default" ] || [[ "${LAKEML_JAVA_OPTS:-}" == *-XX:Tier* ]]; then
    return 0
  fi
  echo "-XX:Tier4InvocationThreshold=50000 -XX:Tier4MinInvocationThreshold=6000 -XX:Tier4CompileThreshold=150000 -XX:Tier4BackEdgeThreshold=400000"
}
