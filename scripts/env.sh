# shellcheck shell=bash
# Source this after scripts/install-tools.sh:  . scripts/env.sh
# Puts the pinned tools first on PATH and points podman at hephy's containers.conf.
HEPHY_TOOLS_DIR="${HEPHY_TOOLS_DIR:-$HOME/.local/hephy-builder}"
export HEPHY_TOOLS_DIR
case ":$PATH:" in *":/usr/local/go/bin:"*) ;; *) [ -d /usr/local/go/bin ] && PATH="/usr/local/go/bin:$PATH" ;; esac
case ":$PATH:" in *":$HEPHY_TOOLS_DIR/bin:"*) ;; *) PATH="$HEPHY_TOOLS_DIR/bin:$PATH" ;; esac
export PATH
# podman (Debian 4.3) needs `default_ulimits = []` here, else runc fails with "error setting rlimit type 7".
export CONTAINERS_CONF="$HEPHY_TOOLS_DIR/containers.conf"
# ko's build cache (Go build outputs per platform); kept between runs.
export KOCACHE="${KOCACHE:-$HEPHY_TOOLS_DIR/cache/ko}"
