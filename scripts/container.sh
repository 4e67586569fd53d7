#!/usr/bin/env bash
# The service as an OCI image: `make container` (after `make run`).
#
#   scripts/container.sh [all]   tools, base image (once), Bento, image; prints name, size and build time
#   scripts/container.sh tools   installs podman, runc and mmdebstrap with apt when no engine is usable
#   scripts/container.sh base    builds the Python base image from Debian packages unless it exists
#   scripts/container.sh image   `bentoml build`, then `bentoml containerize` tagged with the Bento's version
#   scripts/container.sh env     prints CONTAINER_ENGINE=... (and CONTAINERS_CONF=... for podman) for callers
#
# No image registry is needed: the base image is Debian bookworm (python3 is 3.11) made by mmdebstrap
# from the machine's own Debian sources, plus uv. The engine is docker where a Docker daemon answers,
# podman otherwise (CONTAINER_ENGINE overrides). Podman reads build/container/containers.conf through
# CONTAINERS_CONF (runc, ulimits within this machine's hard limits): nothing under /etc is changed.
# BENTOML_HOME picks the model store (default: BentoML's own).
set -euo pipefail
cd "$(dirname "$0")/.."

export KEDRO_DISABLE_TELEMETRY=1 MLFLOW_DISABLE_TELEMETRY=true BENTOML_DO_NOT_TRACK=true DO_NOT_TRACK=true

BIN=${BIN:-.venv/bin}
BUILD_DIR=$(realpath -m "${CONTAINER_BUILD_DIR:-build/container}")
DEBIAN_ROOTFS_IMAGE=localhost/pret-a-depenser-debian:bookworm
BASE_IMAGE=$(sed -n 's/^ *base_image: *\([^ #]*\).*/\1/p' bentofile.yaml)

log() { printf '%s\n' "$*" >&2; }

engine() {
    if [[ -n "${CONTAINER_ENGINE:-}" ]]; then
        echo "$CONTAINER_ENGINE"
    elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
        echo docker
    else
        echo podman
    fi
}

install_tools() {
    local missing=()
    [[ "$(engine)" == podman ]] && ! command -v podman >/dev/null 2>&1 && missing+=(podman runc uidmap)
    [[ "$(engine)" == podman ]] && ! command -v runc >/dev/null 2>&1 && missing+=(runc)
    command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
    if ((${#missing[@]})); then
        log "installing ${missing[*]} with apt"
        apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    if [[ "$(engine)" == podman ]]; then
        # crun fails on these hosts' cgroups, and podman's default ulimits exceed the hard limits.
        local nofile
        nofile=$(ulimit -Hn)
        [[ "$nofile" != unlimited ]] || nofile=1048576
        mkdir -p "$BUILD_DIR"
        printf '[engine]\nruntime = "runc"\n\n[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=32768:32768"]\n' \
            "$nofile" "$nofile" >"$BUILD_DIR/containers.conf"
    fi
}

use_engine() {
    ENGINE=$(engine)
    if [[ "$ENGINE" == podman ]]; then
        export CONTAINERS_CONF="$BUILD_DIR/containers.conf"
        export BUILDAH_FORMAT=docker # the OCI format drops the image's HEALTHCHECK
        [[ -f "$CONTAINERS_CONF" ]] || install_tools
    fi
}

image_exists() { "$ENGINE" image inspect "$1" >/dev/null 2>&1; }

build_base() {
    use_engine
    # The image records the recipe it was built from (this function, its Containerfile and uv); a changed
    # recipe rebuilds it, the Debian root file system included.
    local recipe
    recipe=$({ declare -f build_base; cat container/base.Containerfile "$BIN/uv"; } | sha256sum | cut -c1-16)
    if [[ "$("$ENGINE" image inspect --format '{{index .Config.Labels "recipe"}}' "$BASE_IMAGE" 2>/dev/null)" == "$recipe" ]]; then
        log "base image $BASE_IMAGE: present, reused"
        return
    fi
    local started work
    started=$(date +%s)
    work=$(mktemp -d)
    trap 'rm -rf "$work"' RETURN
    "$ENGINE" image rm --force "$BASE_IMAGE" "$DEBIAN_ROOTFS_IMAGE" >/dev/null 2>&1 || true
    local sources=/etc/apt/sources.list.d/debian.sources
    [[ -f "$sources" ]] || sources=/etc/apt/sources.list
    log "building $DEBIAN_ROOTFS_IMAGE with mmdebstrap (about a minute)"
    # The machine's own Debian source list is the mirror argument, so no host name is written here.
    # A proxy's CA in /usr/local/share/ca-certificates is copied in at build time, never committed.
    # mmdebstrap copies the machine's /etc/hostname and /etc/resolv.conf: removed (engines provide them).
    mmdebstrap --quiet --variant=minbase --aptopt='APT::Install-Recommends "false"' \
        --include=python3,ca-certificates \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
        --dpkgopt='path-exclude=/usr/share/locale/*' \
        --customize-hook='cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/" 2>/dev/null || true' \
        --customize-hook='chroot "$1" update-ca-certificates >/dev/null 2>&1' \
        --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
        --customize-hook='rm -f "$1/etc/hostname" "$1/etc/resolv.conf"' \
        bookworm "$work/rootfs.tar" "$sources"
    "$ENGINE" import --quiet "$work/rootfs.tar" "$DEBIAN_ROOTFS_IMAGE" >/dev/null
    mkdir -p "$work/context"
    cp "$BIN/uv" "$work/context/uv"
    "$ENGINE" build --quiet --file container/base.Containerfile --build-arg "DEBIAN_ROOTFS=$DEBIAN_ROOTFS_IMAGE" \
        --label "recipe=$recipe" --tag "$BASE_IMAGE" "$work/context" >/dev/null
    log "base image $BASE_IMAGE built in $(($(date +%s) - started)) s"
}

build_image() {
    use_engine
    local started tag size
    started=$(date +%s)
    tag=$("$BIN/bentoml" build --output tag | tail -n 1)
    tag=${tag#__tag__:}
    # BentoML resolves the Dockerfile template inside its temporary copy of the Bento and refuses a path
    # outside the working directory: its temporary folder is put under the project's build folder.
    mkdir -p "$BUILD_DIR/tmp"
    TMPDIR="$BUILD_DIR/tmp" "$BIN/bentoml" containerize --backend "$ENGINE" "$tag" --image-tag "$tag" >&2
    size=$("$ENGINE" image inspect --format '{{.Size}}' "$tag")
    log "image $tag: $((size / 1000000)) MB, built in $(($(date +%s) - started)) s with $ENGINE"
    echo "$tag"
}

case "${1:-all}" in
tools) install_tools ;;
env)
    use_engine
    echo "CONTAINER_ENGINE=$ENGINE"
    [[ "$ENGINE" != podman ]] || echo "CONTAINERS_CONF=$CONTAINERS_CONF"
    ;;
base) build_base ;;
image) build_image ;;
all)
    install_tools
    build_base
    build_image
    ;;
*)
    log "usage: $0 [all|tools|base|image|env]"
    exit 2
    ;;
esac
