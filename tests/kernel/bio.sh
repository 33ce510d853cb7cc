# SPDX-License-Identifier: GPL-2.0-only
# bio.sh: the disk the block I/O tests (t_biosnoop.sh, t_biolatency.sh) run on, sourced after
# lib.sh: a null_blk disk in the guests, a file on the host's real disk.
BIOIO=$FTK_HELPERS/bioio
NULLB_LOADED=""

# bio_target: sets DISK, FILE (what bioio reads/writes), OFF (byte offset), KIND
# (nullb|disk|file). Guests: a null_blk disk, 2 ms timer completions, queue depth 1,
# mq-deadline (so -Q sees the wait): loaded here, or built in with the same parameters on
# the kernel command line (scripts/vm's bzImage guests); a kernel without null_blk (< 3.13)
# gets a scratch virtio disk (FTK_SCRATCH_DISK=vda), KIND=disk: no timing expectations.
# Host: a file in /var/tmp on its real disk. Else returns 1 with $BIO_WHY.
# _bio_use DEV KIND: the block device DEV (made in /dev when absent); a null_blk one gets
# mq-deadline.
_bio_use() {
	DISK=$1
	FILE=/dev/$1
	[ -e "$FILE" ] || mknod "$FILE" b $(tr ':' ' ' <"/sys/block/$1/dev")
	[ "$2" = nullb ] && echo mq-deadline >"/sys/block/$1/queue/scheduler" 2>/dev/null
	OFF=0
	KIND=$2
}

bio_target() {
	BIO_WHY=""
	if [ ! -x "$BIOIO" ]; then
		BIO_WHY="no helper $BIOIO (set FTK_HELPERS)"
		return 1
	fi
	if in_guest && [ -e /sys/block/nullb0 ] && [ ! -e /sys/module/null_blk/refcnt ]; then
		_bio_use nullb0 nullb	# built in (no refcnt: not a module)
		return 0
	fi
	if in_guest && [ -n "${FTK_SCRATCH_DISK:-}" ] && [ -e "/sys/block/$FTK_SCRATCH_DISK" ]; then
		_bio_use "$FTK_SCRATCH_DISK" disk
		return 0
	fi
	if in_guest && [ ! -e /sys/module/null_blk ] &&
		modprobe null_blk nr_devices=1 irqmode=2 completion_nsec=2000000 \
			hw_queue_depth=1 submit_queues=1 gb=1 2>/dev/null; then
		NULLB_LOADED=1
		_bio_use nullb0 nullb
		return 0
	fi
	src=$(df -P /var/tmp 2>/dev/null | awk 'NR == 2 {print $1}')
	case $src in
	/dev/*) ;;
	*)
		BIO_WHY="/var/tmp is on '$src', not a disk, and no null_blk here"
		return 1 ;;
	esac
	DISK=$(basename "$(readlink -f "$src")")
	if [ -e "/sys/class/block/$DISK/partition" ]; then
		DISK=$(basename "$(dirname "$(readlink -f "/sys/class/block/$DISK")")")
	fi
	case $DISK in
	dm-* | md* | loop*)
		BIO_WHY="/var/tmp is on $DISK (bio-based or stacked: requests go elsewhere)"
		return 1 ;;
	esac
	[ -e "/sys/block/$DISK" ] || { BIO_WHY="no /sys/block/$DISK"; return 1; }
	FILE=/var/tmp/ftk-kt-bio.$$
	OFF=0
	KIND=file
	return 0
}

# bio_wait_armed PID: the ftk session PID has enabled its completion tracepoint, or (hist
# backend) set its trigger on it: the event then reads "0*" (soft-enabled) in enable.
_bio_armed() {
	_e=$TRACEFS/instances/ftk-$1/events/block/block_rq_complete
	grep -q 1 "$_e/enable" 2>/dev/null || grep -q '^hist:' "$_e/trigger" 2>/dev/null
}
bio_wait_armed() {
	wait_until 10 _bio_armed "$1"
}

# bio_not_root VIEW: as nobody, the view refuses to start (exit 1, "must be run as root").
bio_not_root() {
	_t=$1_not_root
	if ! command -v setpriv >/dev/null 2>&1; then
		skip $_t "no setpriv to drop root"
		return 0
	fi
	assert_rc $_t 1 setpriv --reuid=65534 --regid=65534 --clear-groups "$FTK" "$1" 1 &&
		assert_grep $_t "^ftk $1: error: must be run as root" "$T/last.err"
	pass $_t
}

bio_cleanup() {
	[ "${KIND:-}" = file ] && rm -f "$FILE"
	[ -n "$NULLB_LOADED" ] && rmmod null_blk
	NULLB_LOADED=""
}
