/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bio/disks: the disk table of the block I/O views. Block tracepoints record the kernel's
 * dev_t (MAJOR = dev >> 20, MINOR = dev & 0xfffff); names come from /sys/class/block
 * (<name>/dev holds "MAJOR:MINOR"; a partition has a "partition" file and its disk is the
 * directory its link points into). Also -d DISK: a whole disk by name, or an error listing
 * the disks.
 */
#ifndef FTK_CMD_BIO_DISKS_H
#define FTK_CMD_BIO_DISKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Kernel dev_t as block tracepoints record it. */
static inline uint32_t bio_mkdev(unsigned int major, unsigned int minor)
{
	return (major << 20) | (minor & 0xfffff);
}

struct bio_disk {
	uint32_t dev;
	uint32_t disk_dev;	/* the whole disk's dev (itself unless a partition) */
	bool partition;
	char name[32];
};

struct bio_disks {
	struct bio_disk *v;
	int n;
	uint64_t loaded_ns;	/* monotonic time of the last load (reload at most 1/s) */
	const char *root;	/* "/sys/class/block" (tests point elsewhere) */
};

/* Load (or reload) every block device from root (NULL: /sys/class/block). 0 or -errno. */
int bio_disks_load(struct bio_disks *d, const char *root);
const struct bio_disk *bio_disks_by_name(const struct bio_disks *d, const char *name);
/* Lookup; reloads the table (at most once a second) for a dev not seen yet. */
const struct bio_disk *bio_disks_by_dev(struct bio_disks *d, uint32_t dev);
/* "vda" or "?" */
const char *bio_disk_name(struct bio_disks *d, uint32_t dev);
/* "vda, sda, nullb0" (whole disks only, sorted) into buf. */
void bio_disks_list(const struct bio_disks *d, char *buf, size_t len);
void bio_disks_free(struct bio_disks *d);

/* -d DISK: its dev, or -ENOENT after the error (unknown disk, or a partition) with a hint
 * listing the disks. */
int bio_resolve_disk(struct bio_disks *d, const char *name, uint32_t *dev);

#endif
