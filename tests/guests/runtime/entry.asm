; Multiboot v1 entry for the guest runtime.
;
; A Multiboot loader (sevisor's, or QEMU's -kernel) enters _start in 32-bit protected mode with
; flat segments, paging off, interrupts off, EAX = 0x2BADB002 and EBX = the info block's address
; (Multiboot 0.6.96, 3.2). This file builds identity page tables for the first 4 GiB, turns on
; long mode (AMD APM vol. 2, 14.6.1: PAE, then EFER.LME, then CR0.PG) and calls rt_start.
;
; Assembled twice: plain, and with -DSEV_ES for the es_*.elf guests. The SEV-ES entry first asks
; the hypervisor for SEV information through the GHCB MSR protocol (the only way to talk to it
; before a #VC handler exists), negotiates the protocol version and sets the C-bit in every RAM
; mapping, so that guest memory is private as an SEV-ES guest's must be.

%define MULTIBOOT_MAGIC      0x1BADB002
%define MULTIBOOT_PAGE_ALIGN (1 << 0)      ; modules page-aligned
%define MULTIBOOT_MEMORY     (1 << 1)      ; mem_lower/mem_upper and the memory map wanted
%define MULTIBOOT_FLAGS      (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY)

%define CR0_PE   (1 << 0)
%define CR0_PG   (1 << 31)
%define CR4_PAE  (1 << 5)
%define MSR_EFER 0xC0000080
%define EFER_LME (1 << 8)

%define PTE_P    (1 << 0)
%define PTE_RW   (1 << 1)
%define PTE_PS   (1 << 7)                  ; 2 MiB page in a page directory entry
%define PD_COUNT 4                         ; 4 page directories x 1 GiB = 4 GiB identity map
%define PDE_COUNT (PD_COUNT * 512)
%define PDE_PRIVATE_LIMIT 1536             ; below 3 GiB: RAM (C-bit set); above: MMIO (shared)

%define GDT_CODE64 0x08
%define GDT_DATA   0x10

%define STACK_SIZE 16384

%define MSR_GHCB             0xC0010130
%define GHCB_INFO_MASK       0xFFF
%define GHCB_SEV_INFO_RESP   0x001
%define GHCB_SEV_INFO_REQ    0x002
%define GHCB_TERM_REQ        0x100
%define GHCB_TERM_PROT_UNSUPPORTED ((0 << 12) | (1 << 16)) ; reason set 0, code 1
%define GUEST_GHCB_MIN 1
%define GUEST_GHCB_MAX 2

; VMGEXIT is `rep vmmcall`; spelled as bytes so that any assembler takes it.
%macro VMGEXIT 0
	db 0xF3, 0x0F, 0x01, 0xD9
%endmacro

extern rt_start
extern mb_magic, mb_info_gpa
extern __bss_start, __bss_end
global _start, pt_low, gdt, rt_sev_es, rt_cbit, rt_ghcb_version, rt_sev_info, stack_top
global ghcb_terminate32

section .multiboot progbits alloc noexec nowrite align=4
	dd MULTIBOOT_MAGIC
	dd MULTIBOOT_FLAGS
	dd -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

section .text32 progbits alloc exec nowrite align=16
bits 32
_start:
	cli
	cld
	mov esi, eax                    ; the loader's magic and info pointer survive bss zeroing
	mov ebp, ebx
	mov edi, __bss_start            ; the loader zeroes bss too, but do not depend on it
	mov ecx, __bss_end
	sub ecx, edi
	xor eax, eax
	rep stosb
	mov [mb_magic], esi
	mov [mb_info_gpa], ebp
	mov esp, stack_top
%ifdef SEV_ES
	call sev_es_early
%endif
	call build_page_tables

	lgdt [gdt_ptr]
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, pml4
	mov cr3, eax
	mov ecx, MSR_EFER               ; EFER is 0 at a Multiboot entry: write LME without reading
	mov eax, EFER_LME               ; (an SEV-ES guest could not RDMSR here: no #VC handler yet)
	xor edx, edx
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_PE
	mov cr0, eax                    ; LMA becomes 1: compatibility mode until CS is reloaded
	jmp GDT_CODE64:long_entry

; Identity map 0-4 GiB: PML4[0] -> PDPT[0..3] -> 4 page directories of 2 MiB pages, except the
; first 2 MiB, mapped with 4 KiB pages (pt_low) so that single pages (the GHCB) can be shared.
; pte_high is the high dword of every private entry: 0, or the C-bit under SEV-ES.
build_page_tables:
	mov edx, [pte_high]
	mov eax, pdpt
	or eax, PTE_P | PTE_RW
	mov [pml4], eax
	mov [pml4 + 4], edx

	xor ecx, ecx
.pdpt:
	mov eax, ecx
	shl eax, 12
	add eax, pd
	or eax, PTE_P | PTE_RW
	mov [pdpt + ecx * 8], eax
	mov [pdpt + ecx * 8 + 4], edx
	inc ecx
	cmp ecx, PD_COUNT
	jb .pdpt

	xor ecx, ecx
.pd:
	mov eax, ecx
	shl eax, 21
	or eax, PTE_P | PTE_RW | PTE_PS
	mov [pd + ecx * 8], eax
	mov ebx, edx
	cmp ecx, PDE_PRIVATE_LIMIT
	jb .pd_private
	xor ebx, ebx                    ; MMIO is never encrypted
.pd_private:
	mov [pd + ecx * 8 + 4], ebx
	inc ecx
	cmp ecx, PDE_COUNT
	jb .pd

	mov eax, pt_low
	or eax, PTE_P | PTE_RW
	mov [pd], eax
	mov [pd + 4], edx
	xor ecx, ecx
.pt:
	mov eax, ecx
	shl eax, 12
	or eax, PTE_P | PTE_RW
	mov [pt_low + ecx * 8], eax
	mov [pt_low + ecx * 8 + 4], edx
	inc ecx
	cmp ecx, 512
	jb .pt
	ret

%ifdef SEV_ES
; GHCB MSR protocol, SEV information request (GHCB spec 2.3.1): the answer carries the
; hypervisor's protocol version range and the C-bit position. The guest supports versions
; GUEST_GHCB_MIN..GUEST_GHCB_MAX; without overlap it asks to be terminated (reason set 0, code 1).
sev_es_early:
	mov ecx, MSR_GHCB
	mov eax, GHCB_SEV_INFO_REQ
	xor edx, edx
	wrmsr
	VMGEXIT
	mov ecx, MSR_GHCB
	rdmsr
	mov [rt_sev_info], eax
	mov [rt_sev_info + 4], edx
	mov ebx, eax
	and ebx, GHCB_INFO_MASK
	cmp ebx, GHCB_SEV_INFO_RESP
	jne .fail
	mov ebx, edx
	shr ebx, 16                     ; [63:48] max version
	movzx edi, dx                   ; [47:32] min version
	cmp ebx, GUEST_GHCB_MIN
	jb .fail
	cmp edi, GUEST_GHCB_MAX
	ja .fail
	cmp edi, ebx
	ja .fail
	cmp ebx, GUEST_GHCB_MAX
	jbe .version
	mov ebx, GUEST_GHCB_MAX
.version:
	mov [rt_ghcb_version], bx
	shr eax, 24                     ; [31:24] C-bit position
	mov [rt_cbit], al
	sub eax, 32                     ; this code keeps the C-bit in the high dword of a PTE
	jb .fail
	cmp eax, 31
	ja .fail
	mov ecx, eax
	mov edx, 1
	shl edx, cl
	mov [pte_high], edx
	mov byte [rt_sev_es], 1
	ret
.fail:
	mov eax, GHCB_TERM_PROT_UNSUPPORTED
	jmp ghcb_terminate32
%endif

; void ghcb_terminate32(EAX = reason set << 12 | code << 16): asks the hypervisor to end the
; guest through the GHCB MSR protocol (GHCB spec 2.3.5) and never returns. 32-bit code that
; has no #VC handler and no GHCB page can still say why it gives up.
ghcb_terminate32:
	mov ecx, MSR_GHCB
	or eax, GHCB_TERM_REQ
	xor edx, edx
	wrmsr
	VMGEXIT
.hang:
	hlt
	jmp .hang

bits 64
long_entry:
	mov ax, GDT_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	mov rsp, stack_top
	xor ebp, ebp
	call rt_start                   ; does not return (it calls exit)
.hang:
	cli
	hlt
	jmp .hang

section .data progbits alloc noexec write align=16
; Descriptors (APM vol. 2, 4.7/4.8): base 0 everywhere.
gdt:
	dq 0                            ; 0x00 null
	dq 0x00AF9A000000FFFF           ; 0x08 64-bit code (L=1, D=0)
	dq 0x00CF92000000FFFF           ; 0x10 data, 4 GiB
	dq 0x00CF9A000000FFFF           ; 0x18 32-bit code (D=1, L=0), 4 GiB
	dq 0x00009A000000FFFF           ; 0x20 16-bit code, 64 KiB
	dq 0x000092000000FFFF           ; 0x28 16-bit data, 64 KiB
gdt_end:
gdt_ptr:
	dw gdt_end - gdt - 1
	dd gdt
rt_sev_es:       db 0
rt_cbit:         db 0
rt_ghcb_version: dw 0
pte_high:        dd 0
align 8
rt_sev_info:     dq 0

section .bss nobits alloc noexec write align=4096
pml4:   resb 4096
pdpt:   resb 4096
pd:     resb 4096 * PD_COUNT
pt_low: resb 4096
stack:  resb STACK_SIZE
stack_top:
