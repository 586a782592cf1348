; The world switch (APM vol. 2, 15.5 VMRUN, 15.17 GIF, 15.5.2 VMSAVE/VMLOAD).
;
; unsigned long svm_world_switch(u64 guest_vmcb_pa, struct svm_gprs *gprs)
;
; - saves the host's callee-saved registers on the stack;
; - VMLOAD of the host's hidden state (FS/GS/TR/LDTR bases, KERNEL_GS_BASE, STAR/LSTAR/CSTAR/
;   SFMASK, SYSENTER_*) after the guest's VMSAVE: VMRUN itself does not restore these, and
;   without it host FS/GS/TR would keep the guest's values. sevisor never changes them after
;   its descriptor tables are set up at boot, so they are saved once (svm_host_vmsave, when
;   SVM is enabled, which also keeps the page's address for every world switch here) instead
;   of by a VMSAVE before every VMRUN (APM 15.5.2);
; - CLGI, then STI: with GIF clear nothing is delivered, but host RFLAGS.IF=1 at VMRUN makes a
;   physical interrupt end the guest's run with an INTR exit (15.21.4); the run loop lets the
;   interrupt in after STGI;
; - guest GPRs (all but RAX/RSP, which VMRUN takes from the VMCB) in and out of struct svm_gprs
;   (svm/vcpu.h asserts its layout: rbx rcx rdx rsi rdi rbp r8..r15 at 8-byte steps). RAX holds
;   the guest VMCB's address for VMLOAD, VMRUN and VMSAVE: VMRUN saves the host's RAX in the host
;   save area and #VMEXIT reloads it (APM 15.5.1, 15.6), so it needs no reload after the exit;
; - sevisor's own CR0, CR3, CR4 and EFER compared with what it ran with (HOST_STATE_CHECK,
;   svm/host_state.h): returns 0 when the CPU restored them all, else nonzero (the caller then
;   repairs with svm_host_state_check);
; - guest values cleared from the GPRs before returning to C.
bits 64
default rel
section .text

extern svm_host_want    ; struct host_cr_state: cr0, cr3, cr4, efer (svm/host_state_hw.c)
%define MSR_EFER 0xC0000080
%define WANT_CR0 0x00
%define WANT_CR3 0x08
%define WANT_CR4 0x10
%define WANT_EFER 0x18

; The System V callee-saved registers, saved on entry and restored on return.
%macro PUSH_CALLEE_SAVED 0
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
%endmacro
%macro POP_CALLEE_SAVED 0
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
%endmacro

; RAX = 0 when CR0, CR3, CR4 and EFER hold what sevisor ran with (svm/host_state.h: a
; #VMEXIT must reload them, QEMU TCG sometimes loses CR0), else nonzero: each register XORed with
; its wanted value, the differences ORed together, no branch. Only reads, so their order does not
; matter. Overwrites RAX, RCX, RDX, RSI, RDI and R8 with host values (the last three held guest
; values: CLEAR_SCRATCH need not clear them again).
%macro HOST_STATE_CHECK 0
	mov ecx, MSR_EFER
	rdmsr                   ; EDX:EAX, RAX's high half cleared
	shl rdx, 32
	or rax, rdx
	xor rax, [svm_host_want + WANT_EFER]
	mov rsi, cr0
	xor rsi, [svm_host_want + WANT_CR0]
	mov rdi, cr3
	xor rdi, [svm_host_want + WANT_CR3]
	mov r8, cr4
	xor r8, [svm_host_want + WANT_CR4]
	or rax, rsi
	or rax, rdi
	or rax, r8
%endmacro

; The caller-saved registers HOST_STATE_CHECK does not overwrite, cleared so no guest value
; reaches C (the callee-saved ones are popped, RAX is the result).
%macro CLEAR_SCRATCH 0
	xor r9d, r9d
	xor r10d, r10d
	xor r11d, r11d
%endmacro

%define G_RBX 0x00
%define G_RCX 0x08
%define G_RDX 0x10
%define G_RSI 0x18
%define G_RDI 0x20
%define G_RBP 0x28
%define G_R8  0x30
%define G_R9  0x38
%define G_R10 0x40
%define G_R11 0x48
%define G_R12 0x50
%define G_R13 0x58
%define G_R14 0x60
%define G_R15 0x68

global svm_world_switch
svm_world_switch:
	PUSH_CALLEE_SAVED
	push rsi                ; [rsp] struct svm_gprs *

	mov rax, rdi            ; guest VMCB PA, for VMLOAD/VMRUN/VMSAVE
	clgi
	sti

	mov rbx, [rsi + G_RBX]
	mov rcx, [rsi + G_RCX]
	mov rdx, [rsi + G_RDX]
	mov rdi, [rsi + G_RDI]
	mov rbp, [rsi + G_RBP]
	mov r8,  [rsi + G_R8]
	mov r9,  [rsi + G_R9]
	mov r10, [rsi + G_R10]
	mov r11, [rsi + G_R11]
	mov r12, [rsi + G_R12]
	mov r13, [rsi + G_R13]
	mov r14, [rsi + G_R14]
	mov r15, [rsi + G_R15]
	mov rsi, [rsi + G_RSI]  ; the pointer last

	vmload
	vmrun
global svm_world_switch_exited  ; where an exit's path starts (tests/bench/trace_exit.py --handler)
svm_world_switch_exited:
	vmsave                  ; RAX: the guest VMCB PA again (host RAX, reloaded by #VMEXIT)

	; Guest GPRs are live: store them through the gprs pointer.
	mov rax, [rsp]
	mov [rax + G_RBX], rbx
	mov [rax + G_RCX], rcx
	mov [rax + G_RDX], rdx
	mov [rax + G_RSI], rsi
	mov [rax + G_RDI], rdi
	mov [rax + G_RBP], rbp
	mov [rax + G_R8],  r8
	mov [rax + G_R9],  r9
	mov [rax + G_R10], r10
	mov [rax + G_R11], r11
	mov [rax + G_R12], r12
	mov [rax + G_R13], r13
	mov [rax + G_R14], r14
	mov [rax + G_R15], r15

	cli
	mov rax, [svm_host_vmcb]
	vmload                  ; host hidden state back
	stgi                    ; IF is 0: a pending interrupt waits for the run loop

	HOST_STATE_CHECK
	; No guest value survives in a register the C code could leak or use.
	CLEAR_SCRATCH

	add rsp, 8
	POP_CALLEE_SAVED
	ret

;
; unsigned long svm_world_switch_es(u64 guest_vmcb_pa, u8 *host_save_vmsa)
;
; SEV-ES: the host save area (VMSA layout) holds RBX 0x318, RBP 0x328, R12..R15 0x360..0x378;
; #VMEXIT reloads them from there (type B state). RAX and RSP are saved and restored by
; VMRUN/#VMEXIT as usual; the other GPRs come back zero or unchanged and hold no guest value.
; Returns as svm_world_switch does.
%define HS_RBX 0x318
%define HS_RBP 0x328
%define HS_R12 0x360
%define HS_R13 0x368
%define HS_R14 0x370
%define HS_R15 0x378

global svm_world_switch_es
svm_world_switch_es:
	PUSH_CALLEE_SAVED

	mov [rsi + HS_RBX], rbx
	mov [rsi + HS_RBP], rbp
	mov [rsi + HS_R12], r12
	mov [rsi + HS_R13], r13
	mov [rsi + HS_R14], r14
	mov [rsi + HS_R15], r15

	clgi
	sti
	mov rax, rdi
	vmrun
	cli
	mov rax, [svm_host_vmcb]
	vmload                  ; host hidden state back
	stgi

	HOST_STATE_CHECK
	CLEAR_SCRATCH

	POP_CALLEE_SAVED
	ret

; void svm_host_vmsave(u64 host_vmcb_pa): VMSAVE into that page, kept for every exit's VMLOAD.
global svm_host_vmsave
svm_host_vmsave:
	mov rax, rdi
	vmsave
	mov [svm_host_vmcb], rdi
	ret

section .bss
align 8
svm_host_vmcb: resq 1   ; the host's hidden state page (svm_host_vmsave)

section .note.GNU-stack noalloc noexec nowrite progbits
