# Sourced by jobs/lakeml: class-data sharing (AppCDS) for the launcher's local JVMs.
#
# A cold lakeml JVM spends seconds loading and verifying the ~20,000 classes of Spark, Delta and
# MLlib before it does any work. A class-data-sharing archive holds them already parsed and verified
# and is mapped into memory at start: `jobs/lakeml sql "select count(*) …"` took 9.9-10.6 s with one
# against 13.7-14.8 s without, the titanic nightly 52.9-57.3 s against 64.1-66.6 s (docs/benchmarks,
# 2026-12-07).
#
# The archive is made from what real runs loaded. Every local run records its class list
# (-XX:DumpLoadedClassList costs nothing measurable). After a run that started Spark, when there is
# no archive yet or the run loaded classes the archive lacks (a nightly after a first `sql`), a
# background process at the lowest CPU priority dumps one from the union of the lists (about 45 s
# of one core, 270 MB under target/cds/). Runs map the newest. It is keyed by the java binary, its
# version, the jar and the classpath, so a rebuilt jar or another JDK starts afresh; the JVM also
# checks the jars itself and runs without sharing if they changed. LAKEML_CDS=off turns it all off.

# the archives' format, part of their key (see cds_init)
CDS_FORMAT=2

# a class list from a run that never started Spark is not worth an archive (tests lower it)
CDS_MIN_CLASSES="${LAKEML_CDS_MIN_CLASSES:-5000}"

# cds_init JAVA CLASSPATH EXTRA_KEY… — sets CDS_DIR, CDS_KEY, CDS_ARCHIVE, CDS_LIST (this run's
# class list, empty when none is recorded) and the JVM options of this run: CDS_MAP_OPTS (map the
# archive; JVM warnings to stderr), and CDS_OPTS, which also record the class list.
cds_init() {
  local java="$1" classpath="$2"
  shift 2
  CDS_MAP_OPTS=""
  CDS_OPTS=""
  CDS_LIST=""
  CDS_KEY=""
  CDS_DIR="${LAKEML_CDS_DIR:-$ROOT/target/cds}"
  case "${LAKEML_CDS:-on}" in off | false | 0 | no) return 0 ;; esac
  # a user's own archive or sharing setting wins
  [[ "${LAKEML_JAVA_OPTS:-}" == *SharedArchiveFile* || "${LAKEML_JAVA_OPTS:-}" == *-Xshare* ]] && return 0
  local version="${JAVA_VERSION_TEXT:-$("$java" -version 2>&1)}"
  # HotSpot's options: another JVM (OpenJ9) would refuse to start with them
  [[ "$version" == *"Server VM"* ]] || return 0
  mkdir -p "$CDS_DIR" 2>/dev/null || return 0
  local bin jar_ids
  bin="$(command -v "$java")"
  bin="$(readlink -f "$bin" 2>/dev/null || echo "$bin")"
  # the first entry, lakeml's jar, without a pipe into head: under the launcher's pipefail, a long
  # classpath's writer killed by SIGPIPE would end the launcher with exit 141
  jar_ids="$(stat -c '%n %s %Y' "${classpath%%:*}" 2>/dev/null || true)"
  # CDS_FORMAT: what the archive holds (2: no generated method-handle classes, below), so an
  # archive of an older launcher is replaced even when the jar is the same
  CDS_KEY="$(printf '%s\n' "$CDS_FORMAT" "$bin" "$version" "$jar_ids" "$classpath" "$@" | cksum | cut -d' ' -f1)"
  CDS_ARCHIVE="$CDS_DIR/lakeml-$CDS_KEY.jsa"
  # for the JVM's commands that start others through the launcher (bench-small waits for this
  # build's archive)
  export LAKEML_CDS_DIR="$CDS_DIR" LAKEML_CDS_ARCHIVE="$CDS_ARCHIVE"
  # what a killed run or dump left behind: its lock would keep every later run from recording
  find "$CDS_DIR" -maxdepth 1 \( -name '*.lock' -mmin +10 -o -name '*.*.classlist' -mmin +1440 \
    -o -name '*.tmp' -mmin +60 \) -exec rm -rf {} + 2>/dev/null || true
  # -Xlog:disable, then warnings to stderr: a JVM warning (e.g. about an archive it cannot map)
  # never lands on stdout, whose last line is the command's JSON summary
  CDS_MAP_OPTS="-Xlog:disable -Xlog:all=warning:stderr"
  if [ -s "$CDS_ARCHIVE" ]; then
    CDS_MAP_OPTS="$CDS_MAP_OPTS -XX:SharedArchiveFile=$CDS_ARCHIVE -Xshare:auto"
  fi
  CDS_OPTS="$CDS_MAP_OPTS"
  # a class list is recorded unless a dump is under way (its result will be checked next run)
  if [ ! -d "$CDS_DIR/lakeml-$CDS_KEY.lock" ]; then
    CDS_LIST="$CDS_DIR/lakeml-$CDS_KEY.$$.classlist"
    CDS_OPTS="$CDS_OPTS -XX:DumpLoadedClassList=$CDS_LIST"
  fi
}

# cds_after_run JAVA CLASSPATH JVM_OPTION… — after a run: when its class list is worth it, dumps
# a new archive in the background (detached from the caller's stdout and stderr, so a pipe reading
# them is not held open) with the same classpath and module options. One dump per key at a time.
cds_after_run() {
  local java="$1" classpath="$2"
  shift 2
  [ -n "${CDS_LIST:-}" ] && [ -f "$CDS_LIST" ] || return 0
  local base="$CDS_DIR/lakeml-$CDS_KEY.classlist" # the list the archive was dumped from
  local classes new
  classes="$(grep -c -v '^[@#]' "$CDS_LIST" 2>/dev/null || true)"
  if [ -s "$CDS_ARCHIVE" ] && [ -f "$base" ]; then
    new="$(awk 'NR == FNR { seen[$0] = 1; next } !/^[@#]/ && !seen[$0]' "$base" "$CDS_LIST" | wc -l)"
  else
    new="${classes:-0}"
  fi
  # worth a dump: a run that started Spark, with a tenth of that many classes the archive lacks
  if [ "${classes:-0}" -lt "$CDS_MIN_CLASSES" ] || [ "$new" -lt $((CDS_MIN_CLASSES / 10 + 1)) ] \
    || ! mkdir "$CDS_DIR/lakeml-$CDS_KEY.lock" 2>/dev/null; then
    rm -f "$CDS_LIST"
    return 0
  fi
  local lock="$CDS_DIR/lakeml-$CDS_KEY.lock" list="$CDS_LIST" tmp="$CDS_ARCHIVE.$$.tmp"
  local merged="$base.$$.tmp" log="$CDS_DIR/lakeml-$CDS_KEY.log"
  (
    # a closed terminal does not stop it (background jobs of a script already ignore Ctrl-C)
    trap '' HUP
    trap 'rm -f "$tmp" "$merged" "$list"; rmdir "$lock" 2>/dev/null' EXIT
    # the union, in the order the classes were first loaded, without the method-handle classes
    # the JDK generates (@lambda-form-invoker lines): archived, they have no class file, and a JVM
    # with a class-file load hook (a JFR recording, from the command line or jcmd JFR.start)
    # crashed in KlassFactory::check_shared_class_file_load_hook when it loaded one (JDK 17.0.15)
    awk '!/^@lambda-form-invoker/ && !seen[$0]++' $([ -f "$base" ] && echo "$base") "$list" >"$merged"
    if nice -n 19 "$java" "$@" -Xshare:dump -XX:SharedClassListFile="$merged" \
      -XX:SharedArchiveFile="$tmp" -cp "$classpath" >"$log" 2>&1 && [ -s "$tmp" ]; then
      # the archives of older builds (other jars, another JDK) are of no use any more
      find "$CDS_DIR" -maxdepth 1 -name 'lakeml-*' ! -name "lakeml-$CDS_KEY.*" -exec rm -rf {} + 2>/dev/null
      mv -f "$merged" "$base"
      mv -f "$tmp" "$CDS_ARCHIVE"
    fi
  ) </dev/null >/dev/null 2>&1 &
  disown 2>/dev/null || true
}
