#!/usr/bin/env bash
# The README's first command. On a fresh machine it installs what is needed (npm dependencies, the
# Pulumi CLI), builds, starts the Elasticsearch ML emulator on a free port, then runs the quickstart
# program through the real Pulumi engine: up, preview --diff of a scaling change, up, and a destroy
# that needs the stop flags. It stops the emulator and deletes its temp folder however it ends
# (success, failure, Ctrl-C), and exits non-zero when any step fails.
#
#   ./scripts/quickstart.sh
#   QUICKSTART_EMULATOR_ARGS="--es-version 8.15.0" ./scripts/quickstart.sh   # another emulated version
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

say() { printf '\n==> %s\n' "$*"; }

say "Setup: npm dependencies and the Pulumi CLI (the first run on a machine builds the CLI: ~5 min)"
source scripts/lib/setup.sh
ensure_node_modules
ensure_pulumi_cli
echo "pulumi $("$PULUMI_BIN_DIR/pulumi" version) in $PULUMI_BIN_DIR"

say "Build (tsc -b)"
npx tsc -b

run_dir="$(mktemp -d "${TMPDIR:-/tmp}/es-ml-quickstart.XXXXXX")"
emulator_pid=""
cleanup() {
  local status=$?
  if [[ -n "$emulator_pid" ]] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
    echo "emulator (pid $emulator_pid) stopped"
  fi
  rm -rf "$run_dir"
  exit "$status"
}
trap cleanup EXIT
# Ctrl-C reaches the runner too (same process group); it cancels the running Pulumi operation.
trap 'exit 130' INT
trap 'exit 143' TERM

say "Start the Elasticsearch ML emulator (a stand-in cluster with one ML node)"
# Extra emulator flags, e.g. QUICKSTART_EMULATOR_ARGS="--es-version 8.15.0" (emulator/README.md lists them).
read -r -a emulator_args <<<"${QUICKSTART_EMULATOR_ARGS:-}"
: >"$run_dir/emulator.log" # exists before the first look, whenever the background job opens it
node emulator/dist/cli.js --port 0 ${emulator_args[@]+"${emulator_args[@]}"} >"$run_dir/emulator.log" 2>&1 &
emulator_pid=$!
endpoint=""
for _ in $(seq 1 100); do
  endpoint="$(grep -o 'http://[0-9.]*:[0-9]*' "$run_dir/emulator.log" || true)"
  [[ -n "$endpoint" ]] && break
  if ! kill -0 "$emulator_pid" 2>/dev/null; then
    echo "quickstart: the emulator exited:" >&2
    cat "$run_dir/emulator.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z "$endpoint" ]]; then
  echo "quickstart: the emulator did not report its address within 10 s:" >&2
  cat "$run_dir/emulator.log" >&2
  exit 1
fi
echo "emulator (pid $emulator_pid) listening on $endpoint"
echo "temp folder of this run (deleted at exit): $run_dir"

# Node 22.5+ (and Node 24 before the pinned 24.21.0) warns that node:sqlite, which Pulumi's closure
# serializer loads, is experimental: noise for a first run (docs/pulumi-engine-findings.md).
node --disable-warning=ExperimentalWarning build/scripts/quickstart/run.js --endpoint "$endpoint" --dir "$run_dir"
echo "quickstart: finished in $((SECONDS - started))s"
