#!/usr/bin/env bash
# Builds the control plane the tests run against (kube-apiserver, kube-controller-manager, kubectl, etcd) from the Go
# modules pinned in go.mod, once per version, into a cache outside the work tree:
#   ${ES_METRICS_ADAPTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/es-metrics-adapter}/kubernetes/<version>/bin
# and prints that directory as its last line of output. A second call with the same inputs does nothing; a changed
# go.mod, go.sum, etcd/main.go, package list or linker flags builds again. The tests call it (KubernetesBinaries),
# and so does .ci/run.
# Needs Go (GO, else go on the PATH, else /usr/local/go/bin/go) and the Go module proxy.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

go="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
version="$(awk '$1 == "k8s.io/kubernetes" { print $2 }' go.mod)"
[ -n "$version" ] || { echo "no k8s.io/kubernetes version in $here/go.mod" >&2; exit 1; }
cache="${ES_METRICS_ADAPTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/es-metrics-adapter}/kubernetes"
bin="$cache/$version/bin"
packages=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl ./etcd)
minor="${version#v1.}"; minor="${minor%%.*}"
# What kubectl version and the API server's /version report: the build knows no git tree to read them from.
ldflags="-s -w"
for package in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $package.gitVersion=$version -X $package.gitMajor=1 -X $package.gitMinor=$minor -X $package.gitTreeState=clean"
done
# What decides the binaries: a stale cache (an etcd upgrade in go.mod, other flags) is rebuilt, not used; an edit of
# this script's comments is not worth the minutes of a rebuild.
inputs="$( (cat go.mod go.sum etcd/main.go; echo "${packages[*]} $ldflags") | sha256sum | cut -d' ' -f1)"

built() { [ "$(cat "$bin/.inputs" 2>/dev/null)" = "$inputs" ]; }

if ! built; then
  mkdir -p "$cache/$version"
  # Two callers (CI's step and a test JVM, two Maven runs) build once: the second waits, then finds the binaries.
  exec 9>"$cache/$version/.lock"
  flock 9
  if ! built; then
    staging="$(mktemp -d "$cache/$version/bin.new.XXXXXX")"
    chmod 755 "$staging"
    trap 'rm -rf "$staging"' EXIT
    echo "building Kubernetes $version (kube-apiserver, kube-controller-manager, kubectl) and etcd into $bin" >&2
    start=$(date +%s)
    # One go build for all four: the packages they share compile once.
    CGO_ENABLED=0 "$go" build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$staging/" "${packages[@]}"
    echo "$inputs" > "$staging/.inputs"
    # Renames, not copies: a reader sees the old directory or the new one, never half of one.
    if [ -e "$bin" ]; then
      mv "$bin" "$staging.old"
    fi
    mv "$staging" "$bin"
    rm -rf "$staging.old"
    trap - EXIT
    elapsed=$(( $(date +%s) - start ))
    printf 'built Kubernetes %s and etcd in %dm%02ds\n' "$version" $((elapsed / 60)) $((elapsed % 60)) >&2
  fi
fi
echo "$bin"
