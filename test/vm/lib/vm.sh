# shellcheck shell=bash
# One VM run: a run directory for the guest, QEMU under a watchdog, COMMAND's
# output relayed live, and its exit status recovered.

RUN_DIR=
QEMU_PID=
RELAY_PIDS=()

# /dev/kvm can come from a nested "PVM" hypervisor (kvm_pvm), under which a
# stock kernel crawls and dies with "KVM internal error"; it needs real VT-x
# or AMD-V (vmx/svm) to be worth using.
kvm_usable() {
    [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
    [ -d /sys/module/kvm_pvm ] && return 1
    grep -qw '^kvm_pvm' /proc/modules 2>/dev/null && return 1
    grep -qwE 'vmx|svm' /proc/cpuinfo
}

choose_accel() {
    case $LVS_VM_ACCEL in
        kvm | tcg) echo "$LVS_VM_ACCEL" ;;
        *) if kvm_usable; then echo kvm; else echo tcg; fi ;;
    esac
}

# Writes COMMAND and what the guest needs to know into a fresh run directory,
# which the guest reads through its view of the host's root.
make_run_dir() {
    local repo=$1 command=$2
    RUN_DIR=$(mktemp -d "$LVS_VM_CACHE/runs/XXXXXXXX") || die "mktemp failed"
    printf '%s\n' "$repo" >"$RUN_DIR/repo"
    printf '%s\n' "$KDIR" >"$RUN_DIR/kdir"
    printf '%s\n' "$LVS_VM_MODULES" >"$RUN_DIR/modules"
    write_main_script "$repo" "$command" >"$RUN_DIR/main.sh"
    mkfifo "$RUN_DIR/stdout" "$RUN_DIR/stderr" || die "mkfifo failed"
    : >"$RUN_DIR/status"
    : >"$RUN_DIR/rc"
}

write_main_script() {
    local repo=$1 command=$2 name
    if [ "$LVS_VM_PASS_ENV" = 1 ]; then
        for name in $(compgen -e); do
            case $name in
                PWD | OLDPWD | SHLVL | _ | HOSTNAME | SSH_* | DISPLAY | XDG_RUNTIME_DIR) continue ;;
            esac
            printf 'export %s=%q\n' "$name" "${!name}"
        done
    else
        echo 'export HOME=/root LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    fi
    echo 'export LVS_VM_GUEST=1'
    printf 'cd %q || exit %d\n' "$repo" "$EXIT_HARNESS"
    printf 'exec /bin/bash -c %q\n' "$command"
}

qemu_args() {
    local accel=$1 repo=$2
    local -a args
    if [ "$accel" = kvm ]; then
        args=(-accel kvm -cpu host)
    else
        # 5-level paging only makes the emulated MMU slower
        # shellcheck disable=SC2054
        args=(-accel tcg,thread=multi -cpu max,-la57)
    fi
    # pci=noacpi and the i8042 options each save 0.3-1 s of boot under TCG
    local append="console=ttyS0 quiet loglevel=4 panic=-1 mitigations=off"
    append+=" pci=noacpi i8042.noaux i8042.nokbd i8042.nopnp 8250.nr_uarts=1"
    append+=" lvsvm.run=$RUN_DIR"
    local port name
    # QEMU separates sub-options with commas; a literal one is written twice
    # shellcheck disable=SC2054
    args+=(
        -name lvs-vm -machine pc -smp "$LVS_VM_CPUS" -m "$LVS_VM_MEM"
        -nodefaults -no-user-config -display none -no-reboot -nic none
        -kernel "$KIMG" -initrd "$INITRD" -append "$append"
        -chardev "file,id=console,path=$RUN_DIR/console.log" -serial chardev:console
        -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
        -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
        -fsdev "local,id=repo,path=${repo//,/,,},security_model=none,multidevs=remap"
        -device virtio-9p-pci,fsdev=repo,mount_tag=repo
        -device virtio-serial-pci
    )
    for port in status stdout stderr rc; do
        name=lvsvm.$port
        args+=(-chardev "file,id=$port,path=$RUN_DIR/$port"
            -device "virtserialport,chardev=$port,name=$name")
    done
    printf '%s\0' "${args[@]}"
}

# Starts the relays and QEMU in the background.  The relays go first: QEMU
# blocks opening a FIFO until someone reads it.
start_vm() {
    local accel=$1 repo=$2
    local -a args
    mapfile -d '' -t args < <(qemu_args "$accel" "$repo")
    cat "$RUN_DIR/stdout" &
    RELAY_PIDS+=($!)
    cat "$RUN_DIR/stderr" >&2 &
    RELAY_PIDS+=($!)
    # timeout(1), not a background sleep: a sleeping watchdog would keep a
    # $(test/vm/run ...) caller waiting on its stdout until it expires
    timeout -k 10 "$LVS_VM_TIMEOUT" qemu-system-x86_64 "${args[@]}" \
        </dev/null >"$RUN_DIR/qemu.log" 2>&1 &
    QEMU_PID=$!
}

# Waits for QEMU and the relays; sets QEMU_STATUS.
wait_vm() {
    wait "$QEMU_PID"
    QEMU_STATUS=$?
    QEMU_PID=
    # a relay still blocked opening its FIFO (QEMU died before opening it)
    # is released by a writer that comes and goes
    local fifo fd
    for fifo in "$RUN_DIR/stdout" "$RUN_DIR/stderr"; do
        exec {fd}<>"$fifo"
        exec {fd}>&-
    done
    wait "${RELAY_PIDS[@]}" 2>/dev/null
    RELAY_PIDS=()
}

# Exits with COMMAND's status, or explains why there is none.
finish_run() {
    local accel=$1 rc status
    rc=$(tr -dc '0-9' <"$RUN_DIR/rc")
    status=$(cat "$RUN_DIR/status")
    if verbose; then
        log "accel=$accel kernel=$KVER qemu status $QEMU_STATUS; guest console:"
        sed 's/^/    /' "$RUN_DIR/console.log" >&2
    fi
    [ -n "$rc" ] && exit "$rc"
    if [ "$QEMU_STATUS" = 124 ]; then
        if grep -qx started <<<"$status"; then
            log "error: COMMAND still running after ${LVS_VM_TIMEOUT}s (LVS_VM_TIMEOUT); VM killed"
            exit "$EXIT_TIMEOUT"
        fi
        log "error: the VM did not boot within ${LVS_VM_TIMEOUT}s (LVS_VM_TIMEOUT, accel=$accel)"
    else
        log "error: the VM stopped without reporting COMMAND's exit code (qemu status $QEMU_STATUS, accel=$accel)"
    fi
    [ -n "$status" ] && log "guest progress: $(tr '\n' ' ' <<<"$status")"
    [ -s "$RUN_DIR/qemu.log" ] && sed 's/^/    qemu: /' "$RUN_DIR/qemu.log" >&2
    if [ -s "$RUN_DIR/console.log" ]; then
        log "last lines of the guest console:"
        tail -n 25 "$RUN_DIR/console.log" | sed 's/^/    /' >&2
    fi
    exit "$EXIT_HARNESS"
}

cleanup_run() {
    [ -n "$QEMU_PID" ] && kill "$QEMU_PID" 2>/dev/null && wait "$QEMU_PID" 2>/dev/null
    [ ${#RELAY_PIDS[@]} -gt 0 ] && kill "${RELAY_PIDS[@]}" 2>/dev/null
    if [ -n "$RUN_DIR" ]; then
        if [ "$LVS_VM_KEEP" = 1 ]; then
            log "kept $RUN_DIR"
        else
            rm -rf "$RUN_DIR"
        fi
    fi
}

run_in_vm() {
    local repo=$1 command=$2 accel
    accel=$(choose_accel)
    trap cleanup_run EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    make_run_dir "$repo" "$command"
    start_vm "$accel" "$repo"
    wait_vm
    finish_run "$accel"
}
