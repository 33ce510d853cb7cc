// SPDX-License-Identifier: GPL-2.0-only
/*
 * elfsym: where to put a uprobe. A uprobe is placed at a *file offset*, while symbol tables
 * give virtual addresses, so ftk_elf_sym_offset() finds the function symbol (in .dynsym, then
 * .symtab) with libelf and maps its address through the PT_LOAD program header that contains
 * it. When a name has several definitions it prefers the default symbol version (glibc keeps
 * old ABI copies, e.g. posix_spawn@GLIBC_2.2.5 next to posix_spawn@@GLIBC_2.15), then GLOBAL
 * over WEAK binding. ftk_elf_functions() lists the function symbols (ftk list uprobe-symbols),
 * ftk_system_libc() names the C library this process has mapped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elfsym.h"
#include "util.h"

#define VERSYM_HIDDEN 0x8000	/* non-default version (name@VER rather than name@@VER) */

struct best {
	int score;		/* -1: nothing found yet */
	GElf_Addr value;
};

/*
 * Does the table name match the wanted symbol? Exact, or "symbol@VER"/"symbol@@VER" (how
 * versioned names appear in .symtab). *is_default is false for a single '@' (old version).
 */
static bool name_matches(const char *name, const char *want, size_t wlen, bool *is_default)
{
	*is_default = true;
	if (strncmp(name, want, wlen))
		return false;
	if (name[wlen] == 0)
		return true;
	if (name[wlen] != '@' || strchr(want, '@'))
		return false;
	*is_default = name[wlen + 1] == '@';
	return true;
}

static bool is_function_def(const GElf_Sym *sym)
{
	int type = GELF_ST_TYPE(sym->st_info);

	return (type == STT_FUNC || type == STT_GNU_IFUNC) && sym->st_shndx != SHN_UNDEF &&
	       sym->st_value != 0;
}

static int bind_score(const GElf_Sym *sym)
{
	switch (GELF_ST_BIND(sym->st_info)) {
	case STB_GLOBAL:
		return 2;
	case STB_WEAK:
		return 1;
	default:		/* LOCAL: static functions, found only in .symtab */
		return 0;
	}
}

/* The SHT_GNU_versym section's data (versions of .dynsym entries), or NULL. */
static Elf_Data *find_versym(Elf *elf)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_GNU_versym)
			return elf_getdata(scn, NULL);
	return NULL;
}

/* Search every section of TYPE for the best definition of want. */
static void search_symtab(Elf *elf, Elf32_Word type, const char *want, struct best *best)
{
	Elf_Data *versym = type == SHT_DYNSYM ? find_versym(elf) : NULL;
	size_t wlen = strlen(want);
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;
		size_t n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type || !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		for (size_t i = 1; i < n; i++) {
			GElf_Sym sym;
			GElf_Versym vs;
			const char *name;
			bool is_default;
			int score;

			if (!gelf_getsym(data, (int)i, &sym) || !is_function_def(&sym))
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!name || !name_matches(name, want, wlen, &is_default))
				continue;
			if (versym && gelf_getversym(versym, (int)i, &vs) && (vs & VERSYM_HIDDEN))
				is_default = false;
			score = (is_default ? 4 : 0) + bind_score(&sym);
			if (score > best->score) {
				best->score = score;
				best->value = sym.st_value;
			}
		}
	}
}

/* File offset of vaddr through the PT_LOAD segment that holds it in the file. */
static int vaddr_to_offset(Elf *elf, GElf_Addr vaddr, uint64_t *offset)
{
	size_t nph;

	if (elf_getphdrnum(elf, &nph))
		return -ENOEXEC;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_filesz) {
			*offset = vaddr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ENOEXEC;
}

/* Opens PATH as ELF: 0 with *fd and *elf (release with elf_close), or -ENOEXEC / -errno. */
static int elf_open(const char *path, int *fd, Elf **elf)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOEXEC;
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	*elf = elf_begin(*fd, ELF_C_READ_MMAP, NULL);
	if (*elf && elf_kind(*elf) == ELF_K_ELF)
		return 0;
	if (*elf)
		elf_end(*elf);
	close(*fd);
	return -ENOEXEC;
}

static void elf_close(int fd, Elf *elf)
{
	elf_end(elf);
	close(fd);
}

int ftk_elf_sym_offset(const char *path, const char *symbol, uint64_t *offset)
{
	struct best best = { .score = -1 };
	Elf *elf;
	int fd, ret;

	if ((ret = elf_open(path, &fd, &elf)))
		return ret;
	search_symtab(elf, SHT_DYNSYM, symbol, &best);
	if (best.score < 0)
		search_symtab(elf, SHT_SYMTAB, symbol, &best);
	if (best.score < 0)
		ret = -ENOENT;
	else
		ret = vaddr_to_offset(elf, best.value, offset);
	elf_close(fd, elf);
	return ret;
}

/* Every defined function of section TYPE, its name cut at '@'. */
static int each_function(Elf *elf, Elf32_Word type, ftk_elf_symbol_fn fn, void *arg)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	char name[512];

	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type || !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		for (size_t i = 1; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *s;
			uint64_t off;
			int rc;

			if (!gelf_getsym(data, (int)i, &sym) || !is_function_def(&sym))
				continue;
			s = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!s || !*s || vaddr_to_offset(elf, sym.st_value, &off))
				continue;
			snprintf(name, sizeof(name), "%.*s", (int)strcspn(s, "@"), s);
			if ((rc = fn(name, off, arg)))
				return rc;
		}
	}
	return 0;
}

int ftk_elf_functions(const char *path, ftk_elf_symbol_fn fn, void *arg)
{
	Elf *elf;
	int fd, ret;

	if ((ret = elf_open(path, &fd, &elf)))
		return ret;
	ret = each_function(elf, SHT_DYNSYM, fn, arg);
	if (!ret)
		ret = each_function(elf, SHT_SYMTAB, fn, arg);
	elf_close(fd, elf);
	return ret;
}

/* Is the last component of path a C library name: libc.so.6, or libc-2.NN.so (old glibc)? */
static bool is_libc_name(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (!strcmp(base, "libc.so.6"))
		return true;
	return !strncmp(base, "libc-", 5) && strlen(base) > 8 &&
	       !strcmp(base + strlen(base) - 3, ".so");
}

static char *find_libc(void)
{
	char *maps = ftk_read_file("/proc/self/maps", NULL);
	char *line, *save = NULL, *found = NULL;

	if (!maps)
		return NULL;
	for (line = strtok_r(maps, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *path = strchr(line, '/');
		char real[PATH_MAX];

		if (!path || !is_libc_name(path))
			continue;
		/* " (deleted)" after an upgrade: the file we map is gone, keep looking */
		if (realpath(path, real)) {
			found = ftk_xstrdup(real);
			break;
		}
	}
	free(maps);
	return found;
}

const char *ftk_system_libc(void)
{
	static char *libc;
	static bool done;

	if (!done) {
		libc = find_libc();
		done = true;
	}
	return libc;
}


/* DIR/libNAME.so* or DIR/NAME.so*, the shortest name (libfoo.so.1 before libfoo.so.1.2). */
static char *library_in(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char lib[256], plain[256], *best = NULL;
	snprintf(lib, sizeof(lib), "lib%s.so", name);
	snprintf(plain, sizeof(plain), "%s.so", name);
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *f = e->d_name;
		bool hit = false;
		for (int k = 0; k < 2 && !hit; k++) {
			const char *want = k ? plain : lib;
			size_t n = strlen(want);
			hit = strncmp(f, want, n) == 0 && (f[n] == 0 || f[n] == '.');
		}
		if (hit && (!best || strlen(f) < strlen(best))) {
			free(best);
			best = ftk_xstrdup(f);
		}
	}
	closedir(d);
	if (!best)
		return NULL;
	char path[PATH_MAX], real[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, best);
	free(best);
	return realpath(path, real) ? ftk_xstrdup(real) : NULL;
}

char *ftk_find_library(const char *name)
{
	char real[PATH_MAX];

	if (strchr(name, '/'))
		return realpath(name, real) ? ftk_xstrdup(real) : NULL;
	if (!strcmp(name, "c") || !strcmp(name, "libc"))
		return ftk_system_libc() ? ftk_xstrdup(ftk_system_libc()) : NULL;
	if (!strncmp(name, "lib", 3))
		name += 3;
	static const char *const dirs[] = {
		"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64",
		"/lib", "/usr/lib", "/usr/local/lib",
	};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *p = library_in(dirs[i], name);
		if (p)
			return p;
	}
	const char *path = getenv("PATH");
	char *copy = ftk_xstrdup(path ? path : "/usr/bin:/bin"), *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char file[PATH_MAX];
		snprintf(file, sizeof(file), "%s/%s", dir, name);
		if (access(file, X_OK) == 0 && realpath(file, real)) {
			free(copy);
			return ftk_xstrdup(real);
		}
	}
	free(copy);
	return NULL;
}
