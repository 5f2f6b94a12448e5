#!/usr/bin/env bash
# Builds the pinned control plane (etcd, kube-apiserver, kube-controller-manager, kubectl) from
# the Go module proxy into a per-version cache outside the work tree, skipping what is built.
#
#   bash test/control-plane/build.sh            # every pinned version
#   bash test/control-plane/build.sh 1.36.3     # one Kubernetes version (plus etcd)
#
# Cache: ${MICROK8S_PHOENIX_CACHE:-~/.cache/microk8s-phoenix}/control-plane/<name>-v<version>/
# A version directory appears only when all its binaries built (staged, then renamed), so an
# interrupted build is simply redone. Prints the directory of each version and its build time.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
cache="${MICROK8S_PHOENIX_CACHE:-$HOME/.cache/microk8s-phoenix}/control-plane"
mkdir -p "$cache"
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -trimpath"
export PATH="$PATH:/usr/local/go/bin"

stamp() { date +%s; }

# Same -X flags as Kubernetes' hack/lib/version.sh, so `kubectl version` and /version are sane.
kube_ldflags() {
  local version="$1" major minor info commit
  major="${version%%.*}"; minor="${version#*.}"; minor="${minor%%.*}"
  info="$(go mod download -json "k8s.io/kubernetes@v$version" | sed -n 's/^\s*"Info": "\(.*\)",$/\1/p')"
  commit="$(sed -n 's/.*"Hash":"\([0-9a-f]*\)".*/\1/p' "$info")"
  local flags="-s -w"
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    flags+=" -X $pkg.gitVersion=v$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitCommit=${commit:-unknown} -X $pkg.gitTreeState=clean"
    flags+=" -X $pkg.buildDate=$(date -u -d "@$(stat -c %Y "$info")" +%Y-%m-%dT%H:%M:%SZ)"
  done
  echo "$flags"
}

build_into() { # <name> <module dir> <ldflags> <packages...>
  local name="$1" module="$2" ldflags="$3"; shift 3
  local out="$cache/$name"
  if [ -f "$out/.complete" ]; then
    echo "$name: cached in $out"
    return
  fi
  local staging="$cache/.$name.partial.$$" started
  rm -rf "$staging" && mkdir -p "$staging"
  started="$(stamp)"
  echo "$name: building $* ..."
  (cd "$module" && go build -ldflags "$ldflags" -o "$staging/" "$@")
  if [ -f "$staging/server" ]; then mv "$staging/server" "$staging/etcd"; fi
  echo "$(( $(stamp) - started ))" > "$staging/.build-seconds"
  touch "$staging/.complete"
  rm -rf "$out" && mv "$staging" "$out"
  echo "$name: built in $(cat "$out/.build-seconds") s into $out"
}

# Remove half-built directories a killed build left behind.
find "$cache" -maxdepth 1 -name '.*.partial.*' -exec rm -rf {} +

wanted="${*:-$KUBERNETES_VERSIONS}"
# etcd's main package is the module root go.etcd.io/etcd/server/v3, so go names it "server".
build_into "etcd-v$ETCD_VERSION" "$here/etcd" \
  "-s -w" go.etcd.io/etcd/server/v3
for v in $wanted; do
  case " $KUBERNETES_VERSIONS " in *" $v "*) ;; *) echo "unknown version $v (pinned: $KUBERNETES_VERSIONS)" >&2; exit 2;; esac
  if [ -f "$cache/kubernetes-v$v/.complete" ]; then echo "kubernetes-v$v: cached in $cache/kubernetes-v$v"; continue; fi
  build_into "kubernetes-v$v" "$here/kubernetes-v${v%.*}" "$(kube_ldflags "$v")" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kubectl
done
