// SPDX-License-Identifier: GPL-2.0-only
/* bio/disks: dev_t -> disk name from /sys/class/block, and -d DISK. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/bio/disks.h"
#include "core/features.h"
#include "core/util.h"

static int bio_disk_cmp(const void *a, const void *b)
{
	return strcmp(((const struct bio_disk *)a)->name, ((const struct bio_disk *)b)->name);
}

static bool bio_read_devno(const char *root, const char *name, uint32_t *dev)
{
	unsigned int ma, mi;
	char path[PATH_MAX];
	char *txt;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s/dev", root, name);
	txt = ftk_read_file(path, NULL);
	if (!txt)
		return false;
	ok = sscanf(txt, "%u:%u", &ma, &mi) == 2;
	free(txt);
	if (ok)
		*dev = bio_mkdev(ma, mi);
	return ok;
}

/* Parent disk of a partition: the directory the partition's sysfs link points into. */
static void bio_parent_name(const char *root, const char *name, char *out, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX];
	char *slash;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", root, name);
	if (!realpath(path, real))
		return;
	slash = strrchr(real, '/');
	if (!slash)
		return;
	*slash = '\0';
	slash = strrchr(real, '/');
	if (slash)
		snprintf(out, len, "%s", slash + 1);
}

int bio_disks_load(struct bio_disks *d, const char *root)
{
	char path[PATH_MAX], parent[64];
	struct dirent *de;
	int n = 0, cap = 16;
	DIR *dir;

	if (root)
		d->root = root;
	if (!d->root)
		d->root = "/sys/class/block";
	dir = opendir(d->root);
	if (!dir)
		return -errno;
	free(d->v);
	d->v = ftk_xcalloc(cap, sizeof(*d->v));
	while ((de = readdir(dir))) {
		struct bio_disk *k;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(d->v[0].name))
			continue;
		if (n == cap) {
			cap *= 2;
			d->v = ftk_xrealloc(d->v, cap * sizeof(*d->v));
		}
		k = &d->v[n];
		memset(k, 0, sizeof(*k));
		if (!bio_read_devno(d->root, de->d_name, &k->dev))
			continue;
		snprintf(k->name, sizeof(k->name), "%s", de->d_name);
		snprintf(path, sizeof(path), "%s/%s/partition", d->root, de->d_name);
		k->partition = access(path, F_OK) == 0;
		k->disk_dev = k->dev;
		n++;
	}
	closedir(dir);
	d->n = n;
	for (int i = 0; i < n; i++) {
		if (!d->v[i].partition)
			continue;
		bio_parent_name(d->root, d->v[i].name, parent, sizeof(parent));
		const struct bio_disk *p = bio_disks_by_name(d, parent);

		if (p)
			d->v[i].disk_dev = p->dev;
	}
	qsort(d->v, n, sizeof(*d->v), bio_disk_cmp);
	d->loaded_ns = ftk_now_mono();
	return 0;
}

const struct bio_disk *bio_disks_by_name(const struct bio_disks *d, const char *name)
{
	for (int i = 0; i < d->n; i++)
		if (strcmp(d->v[i].name, name) == 0)
			return &d->v[i];
	return NULL;
}

static const struct bio_disk *bio_disks_find(const struct bio_disks *d, uint32_t dev)
{
	for (int i = 0; i < d->n; i++)
		if (d->v[i].dev == dev)
			return &d->v[i];
	return NULL;
}

const struct bio_disk *bio_disks_by_dev(struct bio_disks *d, uint32_t dev)
{
	const struct bio_disk *k = bio_disks_find(d, dev);

	/* A disk that appeared after start (modprobe null_blk): reload, at most once a second. */
	if (!k && ftk_now_mono() - d->loaded_ns > 1000000000ULL && bio_disks_load(d, NULL) == 0)
		k = bio_disks_find(d, dev);
	return k;
}

const char *bio_disk_name(struct bio_disks *d, uint32_t dev)
{
	static char num[24];

	/* a recording (--input): this host's disks are not the recorder's, say the numbers */
	if (ftk_features_is_offline()) {
		snprintf(num, sizeof(num), "%u:%u", dev >> 20, dev & 0xfffff);
		return num;
	}
	const struct bio_disk *k = bio_disks_by_dev(d, dev);

	return k ? k->name : "?";
}

void bio_disks_list(const struct bio_disks *d, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < d->n && off < len; i++) {
		if (d->v[i].partition)
			continue;
		off += snprintf(buf + off, len - off, "%s%s", off ? ", " : "", d->v[i].name);
	}
}

void bio_disks_free(struct bio_disks *d)
{
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

int bio_resolve_disk(struct bio_disks *d, const char *name, uint32_t *dev)
{
	const struct bio_disk *k = bio_disks_by_name(d, name);
	char list[1024];

	bio_disks_list(d, list, sizeof(list));
	if (!k) {
		ftk_error("unknown disk '%s'", name);
		ftk_hint("disks here: %s", list[0] ? list : "(none)");
		return -ENOENT;
	}
	if (k->partition) {
		const struct bio_disk *p = bio_disks_find(d, k->disk_dev);

		ftk_error("'%s' is a partition: block requests are traced per disk", name);
		ftk_hint("use its disk '%s' (disks here: %s)", p ? p->name : "?", list);
		return -ENOENT;
	}
	*dev = k->dev;
	return 0;
}
