#!/usr/bin/env bash
# Finds or builds the real Pulumi CLI and prints the directory that holds `pulumi`
# (and, when it could be built, `pulumi-language-nodejs`) on stdout's last line.
#
# Order: `pulumi` already on PATH (a user's normal install) -> a cached build of
# the pinned version -> a fresh build from the Go module proxy into the cache.
# The cache lives outside the repo so a fresh clone on the same host reuses it.
# No registry ships the CLI as a binary; see docs/pulumi-offline.md for why.
set -euo pipefail

PULUMI_VERSION="${PULUMI_VERSION:-v3.276.0}"
CACHE_ROOT="${PULUMI_ELASTICSEARCH_ML_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-elasticsearch-ml}"
DEST="$CACHE_ROOT/pulumi-$PULUMI_VERSION"
BIN="$DEST/bin"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { echo "get-pulumi: $*" >&2; }

# The dynamic-provider plugin ships inside @pulumi/pulumi; the CLI only looks
# next to itself and on PATH, never in node_modules.
install_dynamic_plugin() {
  local dir="$1" plugin="$REPO_ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  if [[ -f "$plugin" && -w "$dir" ]]; then
    cp -f "$plugin" "$dir/pulumi-resource-pulumi-nodejs"
    chmod +x "$dir/pulumi-resource-pulumi-nodejs"
  fi
}

if [[ "${PULUMI_FORCE_BUILD:-}" != "1" ]] && command -v pulumi >/dev/null 2>&1 && [[ "$(command -v pulumi)" != "$BIN/pulumi" ]]; then
  found="$(dirname "$(command -v pulumi)")"
  log "using pulumi from PATH: $found ($(pulumi version 2>/dev/null || echo unknown version))"
  echo "$found"
  exit 0
fi

if [[ -x "$BIN/pulumi" && "$("$BIN/pulumi" version 2>/dev/null)" == "$PULUMI_VERSION" ]]; then
  log "reusing cached pulumi $PULUMI_VERSION in $BIN"
  install_dynamic_plugin "$BIN"
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null 2>&1 || { log "Go is required to build the Pulumi CLI (apt-get install golang, or install Go 1.24+)"; exit 1; }
free_kb=$(df -Pk "$(dirname "$CACHE_ROOT")" 2>/dev/null | awk 'NR==2{print $4}' || echo 0)
if [[ "${free_kb:-0}" -lt $((6 * 1024 * 1024)) ]]; then
  log "warning: less than 6 GiB free for Go's caches; the build may fail"
fi

mkdir -p "$DEST/src" "$BIN"
cd "$DEST/src"
start=$(date +%s)
log "building pulumi $PULUMI_VERSION from the Go module proxy (first build: see README for cost)"
cat > go.mod <<MOD
module pulumi-cli-build

go 1.24
MOD
# pkg's own go.mod lags sdk by a release, so both are pinned to the same tag.
go get "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" >&2
go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$PULUMI_VERSION" >&2
LDFLAGS="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
CGO_ENABLED=0 go build -trimpath -tags osusergo,grpcnotrace -ldflags "$LDFLAGS" \
  -o "$BIN/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
mv -f "$BIN/pulumi.tmp" "$BIN/pulumi"
log "pulumi built in $(( $(date +%s) - start ))s"

# The Node.js language host is an untagged module: only a pseudo-version of the
# release commit can name it. Without it, Automation API inline programs still work.
if [[ ! -x "$BIN/pulumi-language-nodejs" ]]; then
  sha=$(go mod download -json "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" 2>/dev/null | sed -n 's/.*"Hash": *"\([0-9a-f]\{40\}\)".*/\1/p' | head -1 || true)
  mkdir -p "$DEST/langhost" && cd "$DEST/langhost"
  printf 'module pulumi-langhost-build\n\ngo 1.24\n' > go.mod
  if [[ -n "$sha" ]] \
    && go get "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@$sha" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" >&2 \
    && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$BIN/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 >&2; then
    log "built pulumi-language-nodejs at $sha"
  else
    log "pulumi-language-nodejs could not be built here; programs run through the Automation API's inline mode"
  fi
fi

install_dynamic_plugin "$BIN"
du -sh "$BIN/pulumi" >&2 || true
echo "$BIN"
