; The mode walk for modes.c (issue 4): from 64-bit mode down to real mode and back up.
;
;   64-bit --retf--> compatibility mode (32-bit CS, LMA=1)            record STAGE_COMPAT
;          --CR0.PG=0--> legacy protected mode (LMA=0, LME=1)         record STAGE_LEGACY_PM
;          --EFER=0, CR4.PAE=0, 16-bit CS, CR0.PE=0--> real mode      record STAGE_REAL
;          --CR0.PE=1, far jmp--> 32-bit protected mode               record STAGE_PM
;          --PAE, LME, PG--> compatibility mode (LMA=1 again)         record STAGE_COMPAT_AGAIN
;          --far jmp--> 64-bit mode, return to C.
;
; The order of the steps follows AMD APM vol. 2, 14.7 (leaving long mode: from compatibility
; mode, clear PG, then LME) and 14.6 (entering it: PAE, LME, then PG). Interrupts stay off and no
; exception is expected anywhere: outside long mode the IDT (64-bit gates) is unusable.
;
; Each stage records CR0, CR4 and EFER (low half) into struct modes_log at MODES_LOG_BASE.
; EFER is read with RDMSR, which under SEV-ES raises #VC: only possible under long mode, where
; the IDT works. So outside long mode RDMSR runs only when modes.c set the "everywhere" flag.
;
; The 16-bit part must run below 1 MiB (real mode reaches 1 MiB at most, and this code uses
; segment 0: below 64 KiB), so modes.c copies modes_tramp_start..modes_tramp_end to
; MODES_TRAMP_BASE. It is written position-dependent for that address.

%define MODES_TRAMP_BASE 0x8000         ; keep in step with modes.h
%define MODES_LOG_BASE   0x9000
%define MODES_REAL_STACK 0x7000
%define REC_SIZE    16
%define REC_REACHED 0
%define REC_CR0     4
%define REC_CR4     8
%define REC_EFER    12
%define LOG_FLAG    0x50
%define LOG_MARKER  0x54
%define REAL_MARKER 0xBEEF
%define REAL_LOG_SEGMENT (MODES_LOG_BASE >> 4) ; segment:offset = segment * 16 + offset

%define STAGE_COMPAT        0
%define STAGE_LEGACY_PM     1
%define STAGE_REAL          2
%define STAGE_PM            3
%define STAGE_COMPAT_AGAIN  4

%define GDT_CODE64 0x08                 ; entry.asm's GDT
%define GDT_DATA   0x10
%define GDT_CODE32 0x18
%define GDT_CODE16 0x20
%define GDT_DATA16 0x28

%define CR0_PE   (1 << 0)
%define CR0_PG   (1 << 31)
%define CR4_PAE  (1 << 5)
%define MSR_EFER 0xC0000080
%define EFER_LME (1 << 8)

global modes_walk, modes_tramp_start, modes_tramp_end

; RECORD stage, efer_mode: efer_mode 1 = always read EFER (long mode: the IDT works),
; 0 = only when the log's flag allows it. Works in 16- and 32-bit code (addresses < 64 KiB).
%macro RECORD 2
	mov dword [MODES_LOG_BASE + %1 * REC_SIZE + REC_REACHED], 1
	mov eax, cr0
	mov [MODES_LOG_BASE + %1 * REC_SIZE + REC_CR0], eax
	mov eax, cr4
	mov [MODES_LOG_BASE + %1 * REC_SIZE + REC_CR4], eax
%if %2 = 0
	cmp dword [MODES_LOG_BASE + LOG_FLAG], 0
	je %%no_efer
%endif
	mov ecx, MSR_EFER
	rdmsr
	mov [MODES_LOG_BASE + %1 * REC_SIZE + REC_EFER], eax
%%no_efer:
%endmacro

section .text progbits alloc exec nowrite align=16

; void modes_walk(void): System V ABI; keeps the callee-saved registers.
bits 64
modes_walk:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	mov [saved_rsp], rsp
	push GDT_CODE32                 ; far return into the 32-bit code segment
	mov eax, compat
	push rax
	o64 retf

bits 32
compat:
	RECORD STAGE_COMPAT, 1
	; Leave long mode: paging off from compatibility mode. LMA drops with PG.
	mov eax, cr0
	and eax, ~CR0_PG
	mov cr0, eax
	jmp .legacy                     ; a branch right after the paging change
.legacy:
	RECORD STAGE_LEGACY_PM, 0
	; LME off (EFER held nothing else: the runtime sets only LME) and PAE off, so that the way
	; back up sets each again.
	mov ecx, MSR_EFER
	xor eax, eax
	xor edx, edx
	wrmsr
	mov eax, cr4
	and eax, ~CR4_PAE
	mov cr4, eax
	jmp GDT_CODE16:MODES_TRAMP_BASE ; 16-bit protected mode, in the low copy

; 32-bit protected mode again, entered from real mode by the trampoline's far jump.
pm32:
	mov ax, GDT_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	RECORD STAGE_PM, 0
	; Enter long mode again (APM 14.6.1): PAE, then LME, then PG. CR3 still holds the runtime's
	; page tables.
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov ecx, MSR_EFER
	mov eax, EFER_LME
	xor edx, edx
	wrmsr
	mov eax, cr0
	or eax, CR0_PG
	mov cr0, eax
	; Paging on with LME: LMA is 1 and this 32-bit CS runs in compatibility mode.
	RECORD STAGE_COMPAT_AGAIN, 1
	jmp GDT_CODE64:back64

bits 64
back64:
	mov ax, GDT_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	mov rsp, [saved_rsp]
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

; The low copy. Runs at MODES_TRAMP_BASE; labels are turned into addresses there with LOW().
section .rodata progbits alloc noexec nowrite align=16
%define LOW(label) (MODES_TRAMP_BASE + (label - modes_tramp_start))
bits 16
modes_tramp_start:
	; 16-bit protected mode: load 64 KiB data segments so that real mode inherits sane
	; limits, then clear PE.
	mov ax, GDT_DATA16
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	mov eax, cr0
	and eax, ~CR0_PE
	mov cr0, eax
	jmp 0:LOW(real)                 ; loads a real-mode CS
real:
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, MODES_REAL_STACK
	RECORD STAGE_REAL, 0
	; Real-mode addressing: segment * 16 + offset reaches the log's marker.
	mov ax, REAL_LOG_SEGMENT
	mov es, ax
	mov word [es:LOG_MARKER], REAL_MARKER
	xor ax, ax
	mov es, ax
	; Back to protected mode: PE, then a far jump to the 32-bit code segment (the GDTR still
	; holds the runtime's GDT: real mode does not change it).
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	jmp dword GDT_CODE32:pm32
modes_tramp_end:

section .data progbits alloc noexec write align=8
saved_rsp: dq 0
