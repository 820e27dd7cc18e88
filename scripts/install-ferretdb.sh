#!/usr/bin/env bash
# Builds FerretDB v1.24.2 (SQLite backend) once into .tools/bin/ferretdb.
#
# Why not plain `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`: we try it first, but
# (a) the module proxy here answers 403 to the deprecation lookup `go install` makes, and (b) the
# module zip lacks build/version/version.txt, so a binary built straight from it panics at start.
# So we fetch the module with `go mod download`, add the version file and build that copy.
set -euo pipefail

VERSION=v1.24.2
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin/ferretdb"

installed_version() { [ -x "$bin" ] && "$bin" --version 2>/dev/null | head -1; }
# Compare whole output (no `grep -q` in a pipe: with pipefail its early exit reads as a failure).
if [ "$(installed_version)" = "version: $VERSION" ]; then
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  [ -x /usr/local/go/bin/go ] && export PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null 2>&1 || { echo "FerretDB needs Go to build once; install Go 1.21+ or set MONGODB_URI." >&2; exit 1; }

echo "Building FerretDB $VERSION once into .tools/bin (about a minute; later runs reuse it)..." >&2
mkdir -p "$root/.tools/bin"
start=$(date +%s)

if GOBIN="$root/.tools/bin" go install "github.com/FerretDB/FerretDB/cmd/ferretdb@$VERSION" 2>/dev/null \
   && "$bin" --version >/dev/null 2>&1; then
  :
else
  src_cache=$(GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$src_cache" ] || { echo "go mod download of FerretDB $VERSION failed" >&2; exit 1; }
  work="$root/.tools/src/ferretdb-$VERSION"
  rm -rf "$work"; mkdir -p "$(dirname "$work")"
  cp -r "$src_cache" "$work"; chmod -R u+w "$work"
  echo "$VERSION" > "$work/build/version/version.txt"
  (cd "$work" && go build -o "$bin" ./cmd/ferretdb)
  rm -rf "$work"
fi

"$bin" --version | head -1 >&2
echo "FerretDB build took $(( $(date +%s) - start )) s." >&2
