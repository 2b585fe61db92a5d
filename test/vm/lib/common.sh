# shellcheck shell=bash
# Settings, logging and apt helpers shared by test/vm/run and its libraries.

# shellcheck disable=SC2034  # used by the files sourcing this one
readonly EXIT_TIMEOUT=124    # the watchdog stopped COMMAND
readonly EXIT_HARNESS=125    # COMMAND could not be run at all

LVS_VM_CACHE=${LVS_VM_CACHE:-/var/cache/lvs-director/vm}
LVS_VM_KERNEL=${LVS_VM_KERNEL:-}
LVS_VM_ACCEL=${LVS_VM_ACCEL:-auto}
LVS_VM_TIMEOUT=${LVS_VM_TIMEOUT:-600}
LVS_VM_CPUS=${LVS_VM_CPUS:-2}
LVS_VM_MEM=${LVS_VM_MEM:-1024}
LVS_VM_MODULES=${LVS_VM_MODULES-ip_vs}
LVS_VM_PASS_ENV=${LVS_VM_PASS_ENV:-1}
LVS_VM_VERBOSE=${LVS_VM_VERBOSE:-0}
LVS_VM_KEEP=${LVS_VM_KEEP:-0}

# depmod, modprobe and ipvsadm live in sbin, which a non-login PATH may lack
PATH=$PATH:/usr/sbin:/sbin

log() { printf 'test/vm: %s\n' "$*" >&2; }

die() {
    log "error: $*"
    exit "$EXIT_HARNESS"
}

verbose() { [ "$LVS_VM_VERBOSE" = 1 ]; }

check_settings() {
    [ "$(id -u)" = 0 ] || die "must run as root (apt-get, QEMU sharing / over 9p)"
    case $LVS_VM_CACHE in
        /*) ;;
        *) die "LVS_VM_CACHE must be an absolute path" ;;
    esac
    # the run directory is handed to the guest on the kernel command line
    case $LVS_VM_CACHE in
        *[[:space:]]*) die "LVS_VM_CACHE must not contain whitespace" ;;
    esac
    case $LVS_VM_ACCEL in
        auto | kvm | tcg) ;;
        *) die "LVS_VM_ACCEL must be auto, kvm or tcg (got '$LVS_VM_ACCEL')" ;;
    esac
    local n
    for n in LVS_VM_TIMEOUT LVS_VM_CPUS LVS_VM_MEM; do
        [[ ${!n} =~ ^[1-9][0-9]*$ ]] || die "$n must be a positive integer (got '${!n}')"
    done
}

# Runs a noisy setup command with its output appended to $SETUP_LOG (or on
# stderr when verbose).
run_logged() {
    if verbose; then
        "$@" >&2
        return
    fi
    printf '\n$ %s\n' "$*" >>"$SETUP_LOG"
    "$@" >>"$SETUP_LOG" 2>&1
}

# die, showing what the last commands of run_logged said
die_setup() {
    if ! verbose && [ -s "${SETUP_LOG:-}" ]; then
        log "last lines of $SETUP_LOG:"
        tail -n 12 "$SETUP_LOG" | sed 's/^/    /' >&2
    fi
    die "$@"
}

# The cache directory is root's own, so apt's unprivileged sandbox user could
# not write downloads into it.
APT_OPTS=(-q -o APT::Sandbox::User=root -o Dpkg::Use-Pty=0)
APT_UPDATED=0

apt_update_once() {
    [ "$APT_UPDATED" = 1 ] && return 0
    log "apt-get update"
    run_logged apt-get "${APT_OPTS[@]}" update || return 1
    APT_UPDATED=1
}

# Installs packages; refreshes the package lists only if the first try fails
# (their versions may have left the mirror).
apt_install() {
    log "installing $*"
    export DEBIAN_FRONTEND=noninteractive
    local cmd=(apt-get "${APT_OPTS[@]}" install -y --no-install-recommends "$@")
    run_logged "${cmd[@]}" && return 0
    apt_update_once && run_logged "${cmd[@]}"
}

# Downloads a package's .deb into directory $1 without installing it.
apt_download() {
    local dir=$1 pkg=$2
    mkdir -p "$dir" || return 1
    (cd "$dir" && run_logged apt-get "${APT_OPTS[@]}" download "$pkg")
}

# Prints the downloaded .deb of package $2 in directory $1 (the highest
# version, should there be several).
downloaded_deb() {
    local debs=("$1/$2"_*.deb)
    [ -f "${debs[-1]}" ] && printf '%s\n' "${debs[-1]}"
}
