# Offline settings for running the Pulumi CLI from a shell script (sourced, not run).
# The e2e harness sets the same values for the Automation API (tests/e2e/harness/env.ts);
# docs/pulumi-cli.md explains each one.
#
#   source scripts/lib/pulumi-env.sh
#   pulumi_offline_env /tmp/my-run        # backend and PULUMI_HOME under that folder
#   pulumi stack init dev && pulumi up ...
#
# Expects PULUMI_BIN_DIR (from ensure_pulumi_cli in scripts/lib/setup.sh) when the
# CLI is not already on PATH.

pulumi_offline_env() {
  local state_dir="${1:?pulumi_offline_env: pass a folder for the file backend and PULUMI_HOME}"
  local repo_root
  repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  mkdir -p "$state_dir/backend" "$state_dir/home"
  state_dir="$(cd "$state_dir" && pwd)"
  # A local file backend: no login. One folder per run, since a killed run can leave a lock.
  export PULUMI_BACKEND_URL="file://$state_dir/backend"
  export PULUMI_HOME="$state_dir/home"
  # The passphrase secrets provider, non-interactive (empty is accepted; keep a caller's own).
  export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
  export PULUMI_SKIP_UPDATE_CHECK=true
  # A missing plugin fails at once with a local error instead of a download attempt.
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  # The CLI starts the dynamic-provider plugin with the first `node` on PATH: make it the
  # repo's Node 24 (the machine's may be too old), and let the plugin find @pulumi/pulumi.
  export NODE_PATH="$repo_root/node_modules${NODE_PATH:+:$NODE_PATH}"
  export PATH="${PULUMI_BIN_DIR:+$PULUMI_BIN_DIR:}$repo_root/node_modules/.bin:$PATH"
}
