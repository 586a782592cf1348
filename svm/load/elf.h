/* The parts of the ELF format a kernel loader reads: the file header and the program headers,
 * for ELF32 and ELF64 (System V ABI, "ELF Object Files", generic ABI chapter 4 "ELF Header" and
 * chapter 5 "Program Header"; x86-64 psABI for EM_X86_64). Little-endian x86 only.
 * The loader copies these out of the image with memcpy, so the structs need no alignment. */
#ifndef SVM_LOAD_ELF_H
#define SVM_LOAD_ELF_H

#include "lib/types.h"

#define SVM_ELF_NIDENT 16
/* e_ident indices and values. */
#define SVM_ELF_EI_MAG0 0
#define SVM_ELF_EI_CLASS 4
#define SVM_ELF_EI_DATA 5
#define SVM_ELF_EI_VERSION 6
#define SVM_ELF_MAGIC "\x7f" "ELF"
#define SVM_ELF_CLASS32 1
#define SVM_ELF_CLASS64 2
#define SVM_ELF_DATA2LSB 1
#define SVM_ELF_EV_CURRENT 1
/* e_type, e_machine. */
#define SVM_ELF_ET_EXEC 2
#define SVM_ELF_EM_386 3
#define SVM_ELF_EM_X86_64 62
/* p_type. */
#define SVM_ELF_PT_NULL 0
#define SVM_ELF_PT_LOAD 1

struct svm_elf32_ehdr {
	u8 e_ident[SVM_ELF_NIDENT];
	u16 e_type;
	u16 e_machine;
	u32 e_version;
	u32 e_entry;
	u32 e_phoff;
	u32 e_shoff;
	u32 e_flags;
	u16 e_ehsize;
	u16 e_phentsize;
	u16 e_phnum;
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
} PACKED;
ASSERT_OFFSET(struct svm_elf32_ehdr, e_type, 16);
ASSERT_OFFSET(struct svm_elf32_ehdr, e_machine, 18);
ASSERT_OFFSET(struct svm_elf32_ehdr, e_entry, 24);
ASSERT_OFFSET(struct svm_elf32_ehdr, e_phoff, 28);
ASSERT_OFFSET(struct svm_elf32_ehdr, e_phentsize, 42);
ASSERT_OFFSET(struct svm_elf32_ehdr, e_phnum, 44);
ASSERT_SIZE(struct svm_elf32_ehdr, 52);

struct svm_elf32_phdr {
	u32 p_type;
	u32 p_offset;
	u32 p_vaddr;
	u32 p_paddr;
	u32 p_filesz;
	u32 p_memsz;
	u32 p_flags;
	u32 p_align;
} PACKED;
ASSERT_OFFSET(struct svm_elf32_phdr, p_offset, 4);
ASSERT_OFFSET(struct svm_elf32_phdr, p_paddr, 12);
ASSERT_OFFSET(struct svm_elf32_phdr, p_filesz, 16);
ASSERT_OFFSET(struct svm_elf32_phdr, p_memsz, 20);
ASSERT_SIZE(struct svm_elf32_phdr, 32);

struct svm_elf64_ehdr {
	u8 e_ident[SVM_ELF_NIDENT];
	u16 e_type;
	u16 e_machine;
	u32 e_version;
	u64 e_entry;
	u64 e_phoff;
	u64 e_shoff;
	u32 e_flags;
	u16 e_ehsize;
	u16 e_phentsize;
	u16 e_phnum;
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
} PACKED;
ASSERT_OFFSET(struct svm_elf64_ehdr, e_type, 16);
ASSERT_OFFSET(struct svm_elf64_ehdr, e_machine, 18);
ASSERT_OFFSET(struct svm_elf64_ehdr, e_entry, 24);
ASSERT_OFFSET(struct svm_elf64_ehdr, e_phoff, 32);
ASSERT_OFFSET(struct svm_elf64_ehdr, e_phentsize, 54);
ASSERT_OFFSET(struct svm_elf64_ehdr, e_phnum, 56);
ASSERT_SIZE(struct svm_elf64_ehdr, 64);

struct svm_elf64_phdr {
	u32 p_type;
	u32 p_flags;
	u64 p_offset;
	u64 p_vaddr;
	u64 p_paddr;
	u64 p_filesz;
	u64 p_memsz;
	u64 p_align;
} PACKED;
ASSERT_OFFSET(struct svm_elf64_phdr, p_offset, 8);
ASSERT_OFFSET(struct svm_elf64_phdr, p_vaddr, 16);
ASSERT_OFFSET(struct svm_elf64_phdr, p_paddr, 24);
ASSERT_OFFSET(struct svm_elf64_phdr, p_filesz, 32);
ASSERT_OFFSET(struct svm_elf64_phdr, p_memsz, 40);
ASSERT_SIZE(struct svm_elf64_phdr, 56);

#endif
