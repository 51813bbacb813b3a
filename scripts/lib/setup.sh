# Shared set-up for the README's two commands (sourced, not run).
# Installs npm dependencies when missing or stale and finds the Pulumi CLI.

# npm ci when node_modules is absent or older than the lockfile.
ensure_node_modules() {
  if [[ ! -x node_modules/.bin/node || package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "setup: installing npm dependencies (npm ci)" >&2
    npm ci --no-audit --no-fund --loglevel=error >&2
  fi
  # npm scripts put node_modules/.bin first on PATH, so they run on the
  # Node 24 that the `node` devDependency brings, whatever the machine has.
  export PATH="$PWD/node_modules/.bin:$PATH"
}

# Sets PULUMI_BIN_DIR to a folder holding the `pulumi` CLI (built once and cached).
ensure_pulumi_cli() {
  PULUMI_BIN_DIR="$(bash scripts/get-pulumi.sh | tail -n 1)"
  export PULUMI_BIN_DIR
}
