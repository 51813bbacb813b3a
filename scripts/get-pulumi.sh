#!/usr/bin/env bash
# Finds or builds the real Pulumi CLI and prints the directory that holds `pulumi`
# (and, when it could be built, `pulumi-language-nodejs`) on stdout's last line.
#
# Order: `pulumi` already on PATH (a user's normal install) -> a cached build of
# the pinned version -> a fresh build from the Go module proxy into the cache.
# The cache lives outside the repo so a fresh clone on the same host reuses it.
# No registry ships the CLI as a binary; docs/pulumi-cli.md explains why and
# records what the first build costs.
#
# Environment:
#   PULUMI_VERSION                   tag to build (default below)
#   PULUMI_FORCE_BUILD=1             ignore a `pulumi` on PATH
#   PULUMI_ELASTICSEARCH_ML_CACHE    cache root (default ~/.cache/pulumi-elasticsearch-ml)
#   PULUMI_LANGUAGE_NODEJS_REF       commit of the release, when the proxy does not report it
set -euo pipefail

PULUMI_VERSION="${PULUMI_VERSION:-v3.276.0}"
CACHE_ROOT="${PULUMI_ELASTICSEARCH_ML_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-elasticsearch-ml}"
DEST="$CACHE_ROOT/pulumi-$PULUMI_VERSION"
BIN="$DEST/bin"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# pkg/v3 and sdk/v3 at v3.276.0 declare `go 1.26.6`; an older Go refuses them
# (or, with GOTOOLCHAIN=auto, fetches the newer toolchain through the proxy).
MIN_GO="1.26.6"

log() { echo "get-pulumi: $*" >&2; }

# The dynamic-provider plugin ships inside @pulumi/pulumi; the CLI only looks
# next to itself and on PATH, never in node_modules.
install_dynamic_plugin() {
  local dir="$1" plugin="$REPO_ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  if [[ ! -f "$plugin" ]]; then
    log "warning: $plugin is missing (run npm ci); dynamic resources cannot run until it sits next to pulumi"
    return 0
  fi
  if [[ -w "$dir" ]] && ! cmp -s "$plugin" "$dir/pulumi-resource-pulumi-nodejs"; then
    cp -f "$plugin" "$dir/pulumi-resource-pulumi-nodejs"
    chmod +x "$dir/pulumi-resource-pulumi-nodejs"
  fi
}

cached_build_ok() { [[ -x "$BIN/pulumi" && "$("$BIN/pulumi" version 2>/dev/null)" == "$PULUMI_VERSION" ]]; }

# Free space of the nearest existing ancestor (the cache dir may not exist yet).
free_kb_at() {
  local dir="$1"
  while [[ ! -d "$dir" ]]; do dir="$(dirname "$dir")"; done
  df -Pk "$dir" | awk 'NR==2{print $4}'
}

version_ge() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]; }

if [[ "${PULUMI_FORCE_BUILD:-}" != "1" ]] && command -v pulumi >/dev/null 2>&1 && [[ "$(command -v pulumi)" != "$BIN/pulumi" ]]; then
  found="$(dirname "$(command -v pulumi)")"
  log "using pulumi from PATH: $found ($(pulumi version 2>/dev/null || echo unknown version))"
  echo "$found"
  exit 0
fi

if cached_build_ok; then
  log "reusing cached pulumi $PULUMI_VERSION in $BIN"
  install_dynamic_plugin "$BIN"
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null 2>&1 || { log "Go $MIN_GO or newer is required to build the Pulumi CLI (https://go.dev/dl, or a distribution package)"; exit 1; }
go_version="$(go env GOVERSION | sed 's/^go//')"
if ! version_ge "$go_version" "$MIN_GO" && [[ "$(go env GOTOOLCHAIN)" == local ]]; then
  log "Go $go_version is too old to build pulumi $PULUMI_VERSION (needs $MIN_GO); install a newer Go or set GOTOOLCHAIN=auto"
  exit 1
fi

mkdir -p "$DEST"
# Two test runs starting at once must not both spend minutes building into the same place.
exec 9>"$DEST/.build.lock"
if ! flock -n 9; then
  log "another build of pulumi $PULUMI_VERSION is running; waiting for it"
  flock 9
fi
if cached_build_ok; then
  log "pulumi $PULUMI_VERSION was built by the run we waited for"
  install_dynamic_plugin "$BIN"
  echo "$BIN"
  exit 0
fi

free_kb="$(free_kb_at "$CACHE_ROOT")"
gomodcache="$(go env GOMODCACHE)"
gocache="$(go env GOCACHE)"
if [[ "${free_kb:-0}" -lt $((4 * 1024 * 1024)) ]]; then
  log "warning: only $((free_kb / 1024)) MiB free; a first build needs about 3.5 GiB (Go caches + binary)"
fi

mkdir -p "$DEST/src" "$BIN"
cd "$DEST/src"
start=$(date +%s)
log "building pulumi $PULUMI_VERSION from the Go module proxy (first build on a host: ~5 min on 2 cores, ~3.3 GiB of Go caches; see docs/pulumi-cli.md)"
printf 'module pulumi-cli-build\n\ngo %s\n' "$MIN_GO" > go.mod
rm -f go.sum
# pkg's own go.mod lags sdk by a release, so both are pinned to the same tag.
go get "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" >&2
go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$PULUMI_VERSION" >&2
# Without the injected version `pulumi version` prints nothing and the
# Automation API refuses inline refresh/destroy (it needs a version >= 3.181).
LDFLAGS="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
CGO_ENABLED=0 go build -trimpath -tags osusergo,grpcnotrace -ldflags "$LDFLAGS" \
  -o "$BIN/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
mv -f "$BIN/pulumi.tmp" "$BIN/pulumi"
log "pulumi $("$BIN/pulumi" version) built in $(($(date +%s) - start))s"

# The Node.js language host is an untagged module: only a pseudo-version of the
# release commit can name it. Without it, Automation API inline programs still
# work; only a shell `pulumi up` on a `runtime: nodejs` project needs it.
build_language_host() {
  local sha="${PULUMI_LANGUAGE_NODEJS_REF:-}" out
  if [[ -z "$sha" ]]; then
    # .Origin.Hash is only present when the proxy recorded where the tag came from.
    sha=$(go mod download -json "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" | sed -n 's/.*"Hash": *"\([0-9a-f]\{40\}\)".*/\1/p' | head -n1)
  fi
  if [[ -z "$sha" ]]; then
    echo "the module proxy does not report the commit of $PULUMI_VERSION (set PULUMI_LANGUAGE_NODEJS_REF=<sha>)"
    return 1
  fi
  mkdir -p "$DEST/langhost" && cd "$DEST/langhost"
  printf 'module pulumi-langhost-build\n\ngo %s\n' "$MIN_GO" > go.mod
  if ! out=$(go get "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@$sha" \
    "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" 2>&1); then
    echo "$out" | grep -v '^go: downloading' | tail -n 2
    return 1
  fi
  if ! out=$(CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$BIN/pulumi-language-nodejs" \
    github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 2>&1); then
    echo "$out" | tail -n 2
    return 1
  fi
  echo "built at $sha"
}
if [[ ! -x "$BIN/pulumi-language-nodejs" ]]; then
  if reason=$(build_language_host); then
    log "pulumi-language-nodejs $reason"
  else
    log "pulumi-language-nodejs could not be built: ${reason//$'\n'/ | }"
    log "programs run through the Automation API's inline mode, which does not need it"
  fi
fi

install_dynamic_plugin "$BIN"
log "cost: $(($(date +%s) - start))s; binary $(du -sh "$BIN/pulumi" | cut -f1); Go module cache $(du -sh "$gomodcache" 2>/dev/null | cut -f1); Go build cache $(du -sh "$gocache" 2>/dev/null | cut -f1)"
echo "$BIN"
