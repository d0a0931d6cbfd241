#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the test guest. The host's root is mounted read-only as / over 9p;
# $VM_OUT is a writable share for results. Runs the command in $VM_CMD_FILE,
# writes its exit status to $VM_OUT/exit-status and the console, and
# powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs run /run
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	vm_cmd=*) VM_CMD_FILE=${arg#vm_cmd=};;
	vm_out=*) VM_OUT=${arg#vm_out=};;
	vm_keep=*) VM_KEEP=${arg#vm_keep=};;
	esac
done
# A writable /tmp for the tests. The host's folders named by vm_keep (the
# checkout and its build folder) are bound back at their own paths, so a
# checkout under /tmp stays visible (read-only, like the rest of /).
mkdir -p /run/host-tmp
mount --bind /tmp /run/host-tmp
mount -t tmpfs tmp /tmp
for d in ${VM_KEEP//:/ }; do
	case "$d" in /tmp/*) ;; *) continue;; esac
	mkdir -p "$d"
	mount --bind "/run/host-tmp/${d#/tmp/}" "$d" ||
		echo "guest: cannot bind the host's $d back"
done
mount -t bpf bpf /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mkdir -p /dev/shm /dev/pts && mount -t tmpfs shm /dev/shm
mount -t 9p -o trans=virtio,version=9p2000.L out "$VM_OUT"
ulimit -l unlimited
echo 1 > /proc/sys/kernel/sysrq
echo "guest: $(nproc) CPUs, kernel $(uname -r)"
cd "$VM_OUT"
bash -c ". '$VM_CMD_FILE'" </dev/null
rc=$?
# The status goes to the share too: on the console, a kernel message can
# land in the middle of the line (seen: the power-off's own message).
echo "$rc" >"$VM_OUT/exit-status"
sync
echo "VM-EXIT-STATUS: $rc"
echo o > /proc/sysrq-trigger
sleep 5
reboot -f
