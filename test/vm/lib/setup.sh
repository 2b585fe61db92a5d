# shellcheck shell=bash
# Prepares the cache: host tools, a static busybox, an extracted Debian kernel
# with its modules, and the initramfs.  Every step is skipped when its result
# is already there, so a warm run does no work and prints nothing.
#
# Cache layout ($LVS_VM_CACHE):
#   lock                      flock(1) lock serialising setup
#   setup.log                 output of apt-get and friends
#   kernel-package            the kernel package resolved at first use
#   busybox/bin/busybox       from busybox-static (extracted, not installed)
#   kernel/<kver>/            from linux-image-<kver> (extracted, not installed)
#   kernel/<kver>/vmlinux     uncompressed kernel, when it can be booted directly
#   kernel/<kver>/initrd-<hash>.cpio
#   runs/<id>/                one directory per VM run, removed afterwards

# Needed in the initramfs to reach the shared file systems and the host.
readonly INITRD_MODULES="virtio_pci 9pnet_virtio 9p overlay virtio_console"

setup_cache() {
    mkdir -p "$LVS_VM_CACHE"/{kernel,runs} || die "cannot create $LVS_VM_CACHE"
    # shellcheck disable=SC2034  # read by run_logged
    SETUP_LOG=$LVS_VM_CACHE/setup.log
    ensure_host_tools
    ensure_busybox
    select_kernel
    ensure_kernel
    ensure_initrd
}

# Tools on the host.  The guest runs the host's own root file system, so
# ipvsadm, modprobe (kmod) and genl (iproute2) are needed here too.
ensure_host_tools() {
    local missing=() pkgs
    local -A pkg_of=(
        [qemu-system-x86_64]=qemu-system-x86 [ipvsadm]=ipvsadm
        [modprobe]=kmod [depmod]=kmod [ip]=iproute2 [genl]=iproute2 [xz]=xz-utils
    )
    local tool
    for tool in "${!pkg_of[@]}"; do
        command -v "$tool" >/dev/null || missing+=("${pkg_of[$tool]}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    mapfile -t pkgs < <(printf '%s\n' "${missing[@]}" | sort -u)
    apt_install "${pkgs[@]}" || die_setup "cannot install ${pkgs[*]}"
}

ensure_busybox() {
    BUSYBOX=$LVS_VM_CACHE/busybox/bin/busybox
    [ -x "$BUSYBOX" ] && return 0
    local debs=$LVS_VM_CACHE/debs deb
    log "fetching busybox-static"
    apt_download "$debs" busybox-static ||
        { apt_update_once && apt_download "$debs" busybox-static; } ||
        die_setup "cannot download busybox-static"
    deb=$(downloaded_deb "$debs" busybox-static) || die "busybox-static .deb not found"
    rm -rf "$LVS_VM_CACHE/busybox.tmp"
    dpkg -x "$deb" "$LVS_VM_CACHE/busybox.tmp" || die "cannot extract $deb"
    [ -x "$LVS_VM_CACHE/busybox.tmp/bin/busybox" ] || die "$deb has no bin/busybox"
    rm -rf "$LVS_VM_CACHE/busybox" "$deb"
    mv "$LVS_VM_CACHE/busybox.tmp" "$LVS_VM_CACHE/busybox"
}

# Prints the kernel package that linux-image-amd64 currently depends on.
resolve_kernel_package() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }' | grep .
}

# Sets KPKG: pinned, else remembered from an earlier run, else resolved now.
select_kernel() {
    KPKG_REMEMBERED=$LVS_VM_CACHE/kernel-package
    if [ -n "$LVS_VM_KERNEL" ]; then
        KPKG=$LVS_VM_KERNEL
    elif [ -s "$KPKG_REMEMBERED" ]; then
        KPKG=$(<"$KPKG_REMEMBERED")
    else
        KPKG=$(resolve_kernel_package) ||
            { apt_update_once && KPKG=$(resolve_kernel_package); } ||
            die_setup "cannot resolve linux-image-amd64 to a kernel package"
    fi
    [[ $KPKG =~ ^linux-image-[0-9][A-Za-z0-9.+~-]*$ ]] ||
        die "'$KPKG' does not look like a kernel package (linux-image-<version>)"
}

# Sets KVER and KDIR, fetching and preparing the kernel if it is not cached.
ensure_kernel() {
    KVER=${KPKG#linux-image-}
    KDIR=$LVS_VM_CACHE/kernel/$KVER
    if [ ! -f "$KDIR/.complete" ]; then
        fetch_kernel_deb
        prepare_kernel_tree
    fi
    [ -n "$LVS_VM_KERNEL" ] || [ -s "$KPKG_REMEMBERED" ] ||
        printf '%s\n' "$KPKG" >"$KPKG_REMEMBERED"
    KIMG=$KDIR/vmlinux
    [ -s "$KIMG" ] || KIMG=$KDIR/boot/vmlinuz-$KVER
}

# Debian's mirror keeps only the current kernel ABI: when the package is gone,
# refresh the lists and (unless pinned) follow linux-image-amd64 again.
fetch_kernel_deb() {
    local debs=$LVS_VM_CACHE/debs
    log "fetching kernel package $KPKG"
    apt_download "$debs" "$KPKG" && return 0
    apt_update_once || die_setup "cannot fetch $KPKG (and apt-get update failed)"
    if [ -z "$LVS_VM_KERNEL" ]; then
        KPKG=$(resolve_kernel_package) || die_setup "cannot resolve linux-image-amd64 to a kernel package"
        KVER=${KPKG#linux-image-}
        KDIR=$LVS_VM_CACHE/kernel/$KVER
        rm -f "$KPKG_REMEMBERED"
        [ -f "$KDIR/.complete" ] && return 0
        log "fetching kernel package $KPKG"
    fi
    apt_download "$debs" "$KPKG" ||
        die_setup "cannot fetch kernel package $KPKG (pin another one with LVS_VM_KERNEL)"
}

# Extracts the kernel .deb (not installed), trims it and indexes its modules.
prepare_kernel_tree() {
    # fetch_kernel_deb may have switched to a kernel that is already cached
    [ -f "$KDIR/.complete" ] && return 0
    local deb tmp=$KDIR.tmp
    deb=$(downloaded_deb "$LVS_VM_CACHE/debs" "$KPKG") || die "$KPKG .deb not found"
    log "extracting $KPKG"
    rm -rf "$tmp"
    dpkg -x "$deb" "$tmp" || die "cannot extract $deb"
    # merged-/usr kernels (trixie on) ship their modules under usr/lib
    if [ ! -d "$tmp/lib/modules" ] && [ -d "$tmp/usr/lib/modules" ]; then
        mkdir -p "$tmp/lib" && mv "$tmp/usr/lib/modules" "$tmp/lib/modules"
    fi
    local mods=$tmp/lib/modules/$KVER
    [ -d "$mods" ] || die "$KPKG has no lib/modules/$KVER"
    [ -f "$tmp/boot/vmlinuz-$KVER" ] || die "$KPKG has no boot/vmlinuz-$KVER"
    find "$mods" -name 'ip_vs.ko*' | grep -q . || die "$KPKG has no ip_vs module"
    prune_modules "$mods/kernel"
    depmod -b "$tmp" "$KVER" || die "depmod failed for $KVER"
    extract_vmlinux "$tmp/boot/vmlinuz-$KVER" "$tmp/boot/config-$KVER" "$tmp/vmlinux"
    rm -rf "$KDIR" "$deb"
    mv "$tmp" "$KDIR" || die "cannot move $tmp to $KDIR"
    touch "$KDIR/.complete"
}

# Hardware drivers are most of the module tree (~450 MB) and useless in the
# VM; keep networking (veth, dummy, bonding, ...), virtio and the basics.
prune_modules() {
    local k=$1
    rm -rf "$k/sound"
    find "$k/drivers" -mindepth 1 -maxdepth 1 \
        ! -name net ! -name virtio ! -name char ! -name block ! -name tty \
        -exec rm -rf {} +
    local hw
    for hw in wireless ethernet usb can wwan ieee802154 fddi hamradio arcnet \
        wan plip slip ppp phy pcs mdio dsa ipa fjes hyperv xen-netback; do
        rm -rf "${k:?}/drivers/net/$hw"
    done
}

# Booting the bzImage under TCG spends ~4.5 s decompressing it; QEMU can boot
# the uncompressed ELF instead when the kernel has a PVH entry (CONFIG_PVH).
# Usage: extract_vmlinux BZIMAGE CONFIG OUT; writes nothing if not possible.
extract_vmlinux() {
    local bz=$1 config=$2 out=$3
    grep -q '^CONFIG_PVH=y' "$config" 2>/dev/null || return 0
    local magic offset
    for magic in '\xfd7zXZ\x00:xz -dc --single-stream' \
        '\x28\xb5\x2f\xfd:zstd -dcq' '\x1f\x8b\x08:gzip -dc'; do
        offset=$(LC_ALL=C grep -obUaP "${magic%%:*}" "$bz" | head -n 1 | cut -d: -f1)
        [ -n "$offset" ] || continue
        # shellcheck disable=SC2086  # the decompressor command line
        tail -c +$((offset + 1)) "$bz" | ${magic#*:} >"$out" 2>/dev/null
        [ "$(head -c 4 "$out" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] && return 0
    done
    rm -f "$out"
    log "note: could not extract vmlinux, booting the compressed kernel"
}

# The initramfs name carries a hash of what goes into it, so a change to the
# guest scripts builds a new one without disturbing runs using the old one.
ensure_initrd() {
    local sum
    sum=$(cat "$VM_DIR/guest/init" "$VM_DIR/guest/stage2" <(echo "$INITRD_MODULES") |
        sha256sum | cut -c1-12)
    INITRD=$KDIR/initrd-$sum.cpio
    [ -s "$INITRD" ] && return 0
    log "building the initramfs"
    local root modules
    root=$(mktemp -d "$LVS_VM_CACHE/initrd.XXXXXX") || die "mktemp failed"
    mkdir -p "$root"/{bin,dev,proc,sys,lower,rw,newroot,etc} || die "mkdir failed"
    cp "$BUSYBOX" "$root/bin/busybox"
    cp "$VM_DIR/guest/init" "$root/init"
    cp "$VM_DIR/guest/stage2" "$root/stage2"
    chmod 755 "$root/init"
    echo "$KVER" >"$root/etc/kver"
    modules=$(copy_initrd_modules "$root/lib/modules/$KVER") ||
        die "cannot collect the initramfs modules"
    tr '\n' ' ' <<<"$modules" >"$root/etc/modules"
    (cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
        "$BUSYBOX" cpio -o -H newc 2>/dev/null) >"$INITRD.tmp" || die "cpio failed"
    mv "$INITRD.tmp" "$INITRD"
    rm -rf "$root"
}

# Copies INITRD_MODULES and their dependencies, uncompressed, into directory
# $1 and prints their names in load order.  A modules.dep without dependency
# lines lets one busybox modprobe -a load them all in that order (each exec
# costs 0.1-0.2 s under TCG).
copy_initrd_modules() {
    local dir=$1 m deps path base
    local -A seen=()
    mkdir -p "$dir" || return 1
    for m in $INITRD_MODULES; do
        # "insmod <path>" per module to load, "builtin <name>" for built-ins
        deps=$(modprobe -d "$KDIR" -S "$KVER" --show-depends "$m") || return 1
        while read -r path; do
            base=${path##*/}
            base=${base%.xz} base=${base%.zst} base=${base%.gz}
            [ -n "${seen[$base]:-}" ] && continue
            seen[$base]=1
            case $path in
                *.xz) xz -dc "$path" ;;
                *.zst) zstd -dcq "$path" ;;
                *.gz) gzip -dc "$path" ;;
                *) cat "$path" ;;
            esac >"$dir/$base" || return 1
            echo "$base:" >>"$dir/modules.dep"
            echo "${base%.ko}"
        done < <(awk '$1 == "insmod" { print $2 }' <<<"$deps")
    done
    touch "$dir/modules.dep"
}
