// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for core/elfsym. Three independent checks of the symbol -> file offset mapping:
 * (1) a synthetic ELF written here, whose PT_LOAD has vaddr != offset and whose tables hold
 * every tie-break case (default vs old version, GLOBAL vs WEAK, .dynsym before .symtab,
 * versioned .symtab names, LOCAL, IFUNC, objects, undefined, bss); (2) the real system libc,
 * against a raw <elf.h> parse of its section and program headers done here without libelf;
 * (3) the live process: the address the dynamic linker resolved, minus the start of the
 * /proc/self/maps mapping holding it, plus that mapping's file offset, is exactly what a
 * uprobe needs. No offset of this machine's libc is hard-coded. Then the listing of every
 * function (funccount's globs) against the single look-up, and libraries by bcc's names.
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/elfsym.h"

/* ---- (1) synthetic ELF ---- */

#define TEXT_OFF 0x1000
#define TEXT_VADDR 0x403000	/* != TEXT_OFF: a wrong mapping shows */
#define TEXT_FILESZ 0x1000
#define TEXT_MEMSZ 0x3000
#define FILE_SIZE 0x3000

struct strtab {
	char s[512];
	size_t len;
};

static Elf64_Word str_add(struct strtab *t, const char *s)
{
	Elf64_Word at = (Elf64_Word)t->len;

	if (!t->len) {		/* index 0 is the empty string */
		t->s[0] = 0;
		t->len = at = 1;
	}
	memcpy(t->s + at, s, strlen(s) + 1);
	t->len += strlen(s) + 1;
	return at;
}

struct symdef {
	const char *name;
	int bind, type;
	Elf64_Addr value;
	bool undef;
	Elf64_Half versym;
};

static const struct symdef dyn_syms[] = {
	{ "foo", STB_GLOBAL, STT_FUNC, 0x403010, false, 1 },
	/* dup: the default version wins even over a GLOBAL old version */
	{ "dup", STB_GLOBAL, STT_FUNC, 0x403020, false, 0x8002 },
	{ "dup", STB_WEAK, STT_FUNC, 0x403030, false, 3 },
	/* wg: same version, GLOBAL over WEAK whatever the order */
	{ "wg", STB_WEAK, STT_FUNC, 0x403040, false, 2 },
	{ "wg", STB_GLOBAL, STT_FUNC, 0x403050, false, 2 },
	{ "ifn", STB_GLOBAL, STT_GNU_IFUNC, 0x403060, false, 2 },
	{ "obj", STB_GLOBAL, STT_OBJECT, 0x403070, false, 2 },
	{ "undef", STB_GLOBAL, STT_FUNC, 0, true, 0 },
	{ "both", STB_GLOBAL, STT_FUNC, 0x403080, false, 2 },
	{ "bss", STB_GLOBAL, STT_FUNC, 0x404800, false, 2 },	/* past p_filesz */
	{ "first", STB_GLOBAL, STT_FUNC, TEXT_VADDR, false, 2 },
	{ "last", STB_GLOBAL, STT_FUNC, TEXT_VADDR + TEXT_FILESZ - 1, false, 2 },
};

static const struct symdef sym_syms[] = {
	{ "local_fn", STB_LOCAL, STT_FUNC, 0x4030c0, false, 0 },
	{ "both", STB_GLOBAL, STT_FUNC, 0x403090, false, 0 },
	{ "bar@V1", STB_GLOBAL, STT_FUNC, 0x4030a0, false, 0 },
	{ "bar@@V2", STB_GLOBAL, STT_FUNC, 0x4030b0, false, 0 },
	{ "barx", STB_GLOBAL, STT_FUNC, 0x4030d0, false, 0 },
	{ "undef", STB_GLOBAL, STT_FUNC, 0, true, 0 },
	{ "old@V1", STB_GLOBAL, STT_FUNC, 0x4030e0, false, 0 },
	{ "wk", STB_WEAK, STT_FUNC, 0x4030f0, false, 0 },
};

/* Fill a symbol table (entry 0 is the null symbol) and its string table. */
static size_t put_syms(Elf64_Sym *out, struct strtab *st, const struct symdef *d, size_t n)
{
	memset(&out[0], 0, sizeof(out[0]));
	for (size_t i = 0; i < n; i++) {
		Elf64_Sym *s = &out[i + 1];

		memset(s, 0, sizeof(*s));
		s->st_name = str_add(st, d[i].name);
		s->st_info = ELF64_ST_INFO(d[i].bind, d[i].type);
		s->st_shndx = d[i].undef ? SHN_UNDEF : 1;
		s->st_value = d[i].value;
		s->st_size = 16;
	}
	return (n + 1) * sizeof(Elf64_Sym);
}

static char fixture[64];

static void write_fixture(void)
{
	static unsigned char img[FILE_SIZE + 0x1000];
	enum { S_NULL, S_TEXT, S_DYNSTR, S_DYNSYM, S_VERSYM, S_STRTAB, S_SYMTAB, S_SHSTR, S_NUM };
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));
	struct strtab dynstr = { 0 }, strtab = { 0 }, shstr = { 0 };
	Elf64_Shdr sh[S_NUM];
	size_t off = 0x2000, dynsym_sz, symtab_sz;
	size_t nd = sizeof(dyn_syms) / sizeof(dyn_syms[0]);
	size_t ns = sizeof(sym_syms) / sizeof(sym_syms[0]);
	Elf64_Half *vs;
	int fd;

	memset(img, 0, sizeof(img));
	memset(sh, 0, sizeof(sh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0x403010;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 2;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = S_NUM;
	eh->e_shstrndx = S_SHSTR;

	ph[0].p_type = PT_LOAD;		/* headers */
	ph[0].p_flags = PF_R;
	ph[0].p_offset = 0;
	ph[0].p_vaddr = ph[0].p_paddr = 0x400000;
	ph[0].p_filesz = ph[0].p_memsz = 0x1000;
	ph[0].p_align = 0x1000;
	ph[1].p_type = PT_LOAD;		/* text, with a memory-only tail */
	ph[1].p_flags = PF_R | PF_X;
	ph[1].p_offset = TEXT_OFF;
	ph[1].p_vaddr = ph[1].p_paddr = TEXT_VADDR;
	ph[1].p_filesz = TEXT_FILESZ;
	ph[1].p_memsz = TEXT_MEMSZ;
	ph[1].p_align = 0x1000;

	sh[S_TEXT] = (Elf64_Shdr){ .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC | SHF_EXECINSTR,
				   .sh_addr = TEXT_VADDR, .sh_offset = TEXT_OFF,
				   .sh_size = TEXT_FILESZ, .sh_addralign = 16 };
	/* .dynsym + .dynstr + .gnu.version */
	dynsym_sz = put_syms((Elf64_Sym *)(img + off), &dynstr, dyn_syms, nd);
	sh[S_DYNSYM] = (Elf64_Shdr){ .sh_type = SHT_DYNSYM, .sh_flags = SHF_ALLOC, .sh_offset = off,
				     .sh_size = dynsym_sz, .sh_link = S_DYNSTR, .sh_info = 1,
				     .sh_addralign = 8, .sh_entsize = sizeof(Elf64_Sym) };
	off += dynsym_sz;
	vs = (Elf64_Half *)(img + off);
	vs[0] = 0;
	for (size_t i = 0; i < nd; i++)
		vs[i + 1] = dyn_syms[i].versym;
	sh[S_VERSYM] = (Elf64_Shdr){ .sh_type = SHT_GNU_versym, .sh_flags = SHF_ALLOC,
				     .sh_offset = off, .sh_size = (nd + 1) * 2, .sh_link = S_DYNSYM,
				     .sh_addralign = 2, .sh_entsize = 2 };
	off = (off + (nd + 1) * 2 + 7) & ~7UL;
	/* .symtab + .strtab */
	symtab_sz = put_syms((Elf64_Sym *)(img + off), &strtab, sym_syms, ns);
	sh[S_SYMTAB] = (Elf64_Shdr){ .sh_type = SHT_SYMTAB, .sh_offset = off, .sh_size = symtab_sz,
				     .sh_link = S_STRTAB, .sh_info = 2, .sh_addralign = 8,
				     .sh_entsize = sizeof(Elf64_Sym) };
	off += symtab_sz;
	/* string tables */
	sh[S_TEXT].sh_name = str_add(&shstr, ".text");
	sh[S_DYNSTR].sh_name = str_add(&shstr, ".dynstr");
	sh[S_DYNSYM].sh_name = str_add(&shstr, ".dynsym");
	sh[S_VERSYM].sh_name = str_add(&shstr, ".gnu.version");
	sh[S_STRTAB].sh_name = str_add(&shstr, ".strtab");
	sh[S_SYMTAB].sh_name = str_add(&shstr, ".symtab");
	sh[S_SHSTR].sh_name = str_add(&shstr, ".shstrtab");
	const struct { int idx; struct strtab *t; } strs[] = {
		{ S_DYNSTR, &dynstr }, { S_STRTAB, &strtab }, { S_SHSTR, &shstr },
	};
	for (size_t i = 0; i < 3; i++) {
		memcpy(img + off, strs[i].t->s, strs[i].t->len);
		sh[strs[i].idx] = (Elf64_Shdr){ .sh_type = SHT_STRTAB, .sh_offset = off,
						.sh_size = strs[i].t->len, .sh_addralign = 1,
						.sh_name = sh[strs[i].idx].sh_name };
		off += strs[i].t->len;
	}
	off = (off + 7) & ~7UL;
	assert_true(off + sizeof(sh) <= sizeof(img));
	eh->e_shoff = off;
	memcpy(img + off, sh, sizeof(sh));
	off += sizeof(sh);

	strcpy(fixture, "/tmp/ftk-test-elf-XXXXXX");
	fd = mkstemp(fixture);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, img, off), (ssize_t)off);
	close(fd);
}

static int setup_fixture(void **state)
{
	write_fixture();
	return 0;
}

static int teardown_fixture(void **state)
{
	unlink(fixture);
	return 0;
}

static void expect_off(const char *sym, uint64_t vaddr)
{
	uint64_t off = 0;

	assert_int_equal(ftk_elf_sym_offset(fixture, sym, &off), 0);
	assert_true(off == vaddr - TEXT_VADDR + TEXT_OFF);
}

static void expect_err(const char *sym, int err)
{
	uint64_t off = 12345;

	assert_int_equal(ftk_elf_sym_offset(fixture, sym, &off), err);
	assert_true(off == 12345);
}

static void test_fixture(void **state)
{
	expect_off("foo", 0x403010);
	expect_off("dup", 0x403030);
	expect_off("wg", 0x403050);
	expect_off("ifn", 0x403060);
	expect_off("both", 0x403080);		/* .dynsym first */
	expect_off("first", TEXT_VADDR);
	expect_off("last", TEXT_VADDR + TEXT_FILESZ - 1);
	expect_off("local_fn", 0x4030c0);	/* .symtab only */
	expect_off("bar", 0x4030b0);		/* bar@@V2 over bar@V1 */
	expect_off("bar@V1", 0x4030a0);		/* exact versioned name */
	expect_off("bar@@V2", 0x4030b0);
	expect_off("barx", 0x4030d0);
	expect_off("old", 0x4030e0);		/* only an old version: still found */
	expect_off("wk", 0x4030f0);
	expect_err("obj", -ENOENT);
	expect_err("undef", -ENOENT);
	expect_err("ba", -ENOENT);
	expect_err("fo", -ENOENT);
	expect_err("foox", -ENOENT);
	expect_err("", -ENOENT);
	expect_err("bss", -ENOEXEC);		/* in memory only: no file offset */
}

static void test_errors(void **state)
{
	char path[] = "/tmp/ftk-test-notelf-XXXXXX";
	uint64_t off;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\necho not an ELF file\n", 31), 31);
	close(fd);
	assert_int_equal(ftk_elf_sym_offset(path, "main", &off), -ENOEXEC);
	unlink(path);
	assert_int_equal(ftk_elf_sym_offset("/nonexistent/ftk/libc.so.6", "execve", &off),
			 -ENOENT);
	assert_int_equal(ftk_elf_sym_offset("/tmp", "execve", &off), -ENOEXEC);
}

/* ---- (2) raw parse of a real ELF, no libelf ---- */

struct raw {
	unsigned char *p;
	size_t size;
};

static void raw_open(struct raw *r, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	r->size = st.st_size;
	r->p = mmap(NULL, r->size, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(r->p != MAP_FAILED);
	close(fd);
	assert_memory_equal(r->p, ELFMAG, SELFMAG);
	assert_int_equal(r->p[EI_CLASS], ELFCLASS64);
}

/*
 * Expected file offset of the default-version definition of name in .dynsym (else .symtab),
 * computed from the raw headers; -1 when absent.
 */
static long long raw_expected(struct raw *r, const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)r->p;
	Elf64_Shdr *sh = (Elf64_Shdr *)(r->p + eh->e_shoff);
	Elf64_Phdr *ph = (Elf64_Phdr *)(r->p + eh->e_phoff);
	const uint32_t types[] = { SHT_DYNSYM, SHT_SYMTAB };
	Elf64_Addr addr = 0;

	for (int t = 0; t < 2 && !addr; t++) {
		for (int s = 0; s < eh->e_shnum && !addr; s++) {
			Elf64_Half *ver = NULL;

			if (sh[s].sh_type != types[t])
				continue;
			for (int v = 0; v < eh->e_shnum; v++)
				if (sh[v].sh_type == SHT_GNU_versym &&
				    sh[v].sh_link == (Elf64_Word)s)
					ver = (Elf64_Half *)(r->p + sh[v].sh_offset);
			Elf64_Sym *sym = (Elf64_Sym *)(r->p + sh[s].sh_offset);
			const char *str = (const char *)(r->p + sh[sh[s].sh_link].sh_offset);
			size_t n = sh[s].sh_size / sizeof(Elf64_Sym);

			for (size_t i = 1; i < n; i++) {
				const char *nm = str + sym[i].st_name;
				size_t l = strlen(name);
				int type = ELF64_ST_TYPE(sym[i].st_info);

				if (type != STT_FUNC && type != STT_GNU_IFUNC)
					continue;
				if (sym[i].st_shndx == SHN_UNDEF || (ver && (ver[i] & 0x8000)))
					continue;
				if (strncmp(nm, name, l) || (nm[l] && strncmp(nm + l, "@@", 2)))
					continue;
				addr = sym[i].st_value;
				break;
			}
		}
	}
	if (!addr)
		return -1;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && addr >= ph[i].p_vaddr &&
		    addr < ph[i].p_vaddr + ph[i].p_filesz)
			return (long long)(addr - ph[i].p_vaddr + ph[i].p_offset);
	return -1;
}

/* ---- (3) the live mapping ---- */

/* File offset of a runtime address, from /proc/self/maps; path of the mapping in file. */
static long long maps_offset(const void *addr, char *file, size_t flen)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[PATH_MAX + 128];
	long long res = -1;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end, off;
		char *path = strchr(line, '/');

		if (sscanf(line, "%lx-%lx %*s %lx", &start, &end, &off) != 3)
			continue;
		if ((uintptr_t)addr < start || (uintptr_t)addr >= end || !path)
			continue;
		path[strcspn(path, "\n")] = 0;
		snprintf(file, flen, "%s", path);
		res = (long long)((uintptr_t)addr - start + off);
		break;
	}
	fclose(f);
	return res;
}

static const char *const libc_syms[] = { "execve", "execveat", "fexecve", "posix_spawn",
					 "execvpe" };

static void test_system_libc(void **state)
{
	const char *libc = ftk_system_libc();
	char real[PATH_MAX], mapfile[PATH_MAX];
	struct raw r;

	assert_non_null(libc);
	assert_true(libc[0] == '/');
	assert_non_null(realpath(libc, real));
	assert_string_equal(real, libc);	/* already resolved */
	assert_ptr_equal(ftk_system_libc(), libc);	/* cached */

	raw_open(&r, libc);
	for (size_t i = 0; i < sizeof(libc_syms) / sizeof(libc_syms[0]); i++) {
		const char *name = libc_syms[i];
		void *addr = dlsym(RTLD_DEFAULT, name);
		uint64_t off = 0;
		long long want_raw = raw_expected(&r, name);
		long long want_map;

		assert_int_equal(ftk_elf_sym_offset(libc, name, &off), 0);
		assert_true(want_raw > 0);
		assert_true((long long)off == want_raw);
		/* the dynamic linker's choice, seen through the mapping, agrees */
		assert_non_null(addr);
		want_map = maps_offset(addr, mapfile, sizeof(mapfile));
		assert_true(want_map > 0);
		assert_non_null(realpath(mapfile, real));
		assert_string_equal(real, libc);
		assert_true((long long)off == want_map);
	}
	munmap(r.p, r.size);
}

/* A function of this test binary: in .symtab only (not exported). */
__attribute__((noinline, used)) int ftk_test_elfsym_target(int x)
{
	__asm__ volatile("" ::: "memory");
	return x * 3 + 1;
}

static void test_self_exe(void **state)
{
	char mapfile[PATH_MAX], exe[PATH_MAX];
	int (*volatile fn)(int) = ftk_test_elfsym_target;
	uint64_t off = 0;
	long long want_map;
	ssize_t n;
	struct raw r;

	assert_int_equal(fn(1), 4);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = 0;
	assert_int_equal(ftk_elf_sym_offset(exe, "ftk_test_elfsym_target", &off), 0);
	want_map = maps_offset((const void *)fn, mapfile, sizeof(mapfile));
	assert_true(want_map > 0);
	assert_true((long long)off == want_map);
	raw_open(&r, exe);
	assert_true((long long)off == raw_expected(&r, "ftk_test_elfsym_target"));
	assert_int_equal(raw_expected(&r, "no_such_function_here"), -1);
	munmap(r.p, r.size);
	assert_int_equal(ftk_elf_sym_offset(exe, "no_such_function_here", &off), -ENOENT);
}

struct listed {
	uint64_t target;
	int targets, total;
};

static int list_one(const char *name, uint64_t offset, void *ctx)
{
	struct listed *l = ctx;
	l->total++;
	if (!strcmp(name, "ftk_test_elfsym_target")) {
		l->targets++;
		l->target = offset;
	}
	assert_null(strchr(name, '@'));
	return 0;
}

static void test_functions_and_libraries(void **state)
{
	char exe[PATH_MAX], real[PATH_MAX];
	uint64_t off = 0;
	struct listed l = { 0 };

	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = 0;
	assert_int_equal(ftk_elf_functions(exe, list_one, &l), 0);
	assert_int_equal(ftk_elf_sym_offset(exe, "ftk_test_elfsym_target", &off), 0);
	assert_true(l.targets >= 1);
	assert_true(l.target == off);
	assert_true(l.total > 10);
	assert_int_equal(ftk_elf_functions("/nonexistent/x", list_one, &l), -ENOENT);

	/* libc's versioned names come without their version */
	if (ftk_system_libc()) {
		struct listed c = { 0 };
		assert_int_equal(ftk_elf_functions(ftk_system_libc(), list_one, &c), 0);
		assert_true(c.total > 1000);
		char *p = ftk_find_library("c");
		assert_string_equal(p, ftk_system_libc());
		free(p);
		p = ftk_find_library("libc");
		assert_string_equal(p, ftk_system_libc());
		free(p);
	}
	char *p = ftk_find_library("/proc/self/exe");
	assert_non_null(realpath("/proc/self/exe", real));
	assert_string_equal(p, real);
	free(p);
	p = ftk_find_library("sh");	/* a program in $PATH */
	assert_non_null(p);
	free(p);
	assert_null(ftk_find_library("ftk_no_such_library_xyz"));
	assert_null(ftk_find_library("/nonexistent/lib.so"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fixture, setup_fixture, teardown_fixture),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_system_libc),
		cmocka_unit_test(test_self_exe),
		cmocka_unit_test(test_functions_and_libraries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
