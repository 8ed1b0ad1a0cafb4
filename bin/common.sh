# Shared helpers for bin/setup, bin/run and bin/test (sourced, not executed).
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADDON_NAME="retail_customer_mgmt"
# the glue module that puts the heavy jobs on OCA's queue_job (bin/setup installs it)
QUEUE_ADDON="retail_customer_mgmt_queue"
STATE_DIR="${RETAIL_STATE_DIR:-$HOME/.cache/retail_customer_mgmt}"
VENV_DIR="${RETAIL_VENV:-$STATE_DIR/venv}"
PG_VERSION="${PG_VERSION:-15}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

find_odoo() {
    local candidate
    for candidate in "${ODOO_SRC:-}" /opt/odoo; do
        [ -n "$candidate" ] || continue
        if [ -f "$candidate/odoo-bin" ] && [ -f "$candidate/odoo/release.py" ] \
            && grep -q "^version_info = (18, 0" "$candidate/odoo/release.py"; then
            ODOO_SRC="$candidate"
            export ODOO_SRC
            return 0
        fi
    done
    die "No Odoo 18.0 source tree found (looked at \$ODOO_SRC='${ODOO_SRC:-}' and /opt/odoo).
Get Odoo 18.0 Community from its official sources, for example:
    git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo /opt/odoo
(or unpack the official 18.0 source tarball there), then run this command again,
or point ODOO_SRC at an existing Odoo 18.0 tree."
}

# A machine without an Odoo tree: a shallow clone of Odoo's official 18.0
# branch into the default location, when the network allows (short timeouts);
# otherwise find_odoo stops with its message.
fetch_odoo() {
    local target="${ODOO_SRC:-/opt/odoo}" url="https://github.com/odoo/odoo.git"
    [ ! -e "$target/odoo-bin" ] || return 0
    command -v git >/dev/null 2>&1 || return 0
    if ! timeout 20 git ls-remote --heads "$url" 18.0 >/dev/null 2>&1; then
        log "No Odoo 18.0 tree and Odoo's official repository cannot be reached."
        return 0
    fi
    log "No Odoo 18.0 tree: cloning Odoo's official 18.0 branch into $target (a few minutes)"
    mkdir -p "$(dirname "$target")"
    timeout 1800 git clone --quiet --depth 1 --branch 18.0 "$url" "$target" \
        || log "Cloning Odoo failed; get Odoo 18.0 from its official sources."
}

# Odoo's addons, the repository's, and those that OCA's wheels installed into
# the venv (queue_job: see bin/setup) when there are any.
addons_path() {
    local path="$ODOO_SRC/odoo/addons,$REPO_DIR" wheels
    for wheels in "$VENV_DIR"/lib/python3*/site-packages/odoo/addons; do
        [ -d "$wheels" ] && path="$path,$wheels"
    done
    echo "$path"
}

odoo_bin() {
    "$VENV_DIR/bin/python" "$ODOO_SRC/odoo-bin" "$@"
}
