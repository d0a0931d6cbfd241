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
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
mount -t bpf bpf /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mkdir -p /dev/shm /dev/pts && mount -t tmpfs shm /dev/shm
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	vm_cmd=*) VM_CMD_FILE=${arg#vm_cmd=};;
	vm_out=*) VM_OUT=${arg#vm_out=};;
	esac
done
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
