; The world switch (APM vol. 2, 15.5 VMRUN, 15.17 GIF, 15.5.2 VMSAVE/VMLOAD).
;
; void svm_world_switch(u64 guest_vmcb_pa, struct svm_gprs *gprs, u64 host_vmcb_pa)
;
; - saves the host's callee-saved registers on the stack;
; - VMLOAD of the host's hidden state (FS/GS/TR/LDTR bases, KERNEL_GS_BASE, STAR/LSTAR/CSTAR/
;   SFMASK, SYSENTER_*) after the guest's VMSAVE: VMRUN itself does not restore these, and
;   without it host FS/GS/TR would keep the guest's values. sevisor never changes them after
;   its descriptor tables are set up at boot, so they are saved once (svm_host_vmsave, when
;   SVM is enabled) instead of by a VMSAVE before every VMRUN (APM 15.5.2);
; - CLGI, then STI: with GIF clear nothing is delivered, but host RFLAGS.IF=1 at VMRUN makes a
;   physical interrupt end the guest's run with an INTR exit (15.21.4); the run loop lets the
;   interrupt in after STGI;
; - guest GPRs (all but RAX/RSP, which VMRUN takes from the VMCB) in and out of struct svm_gprs
;   (svm/vcpu.h asserts its layout: rbx rcx rdx rsi rdi rbp r8..r15 at 8-byte steps);
; - guest values cleared from the GPRs before returning to C.
bits 64
default rel
section .text

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
; The caller-saved registers, cleared so no guest value reaches C.
%macro CLEAR_SCRATCH 0
	xor eax, eax
	xor ecx, ecx
	xor edx, edx
	xor esi, esi
	xor edi, edi
	xor r8d, r8d
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
	push rdx                ; [rsp+16] host VMCB PA
	push rsi                ; [rsp+8]  struct svm_gprs *
	push rdi                ; [rsp+0]  guest VMCB PA

	clgi
	sti

	mov rax, rsi
	mov rbx, [rax + G_RBX]
	mov rcx, [rax + G_RCX]
	mov rdx, [rax + G_RDX]
	mov rdi, [rax + G_RDI]
	mov rbp, [rax + G_RBP]
	mov r8,  [rax + G_R8]
	mov r9,  [rax + G_R9]
	mov r10, [rax + G_R10]
	mov r11, [rax + G_R11]
	mov r12, [rax + G_R12]
	mov r13, [rax + G_R13]
	mov r14, [rax + G_R14]
	mov r15, [rax + G_R15]
	mov rsi, [rax + G_RSI]

	mov rax, [rsp]
	vmload
	vmrun
	vmsave

	; Guest GPRs are live. Stash guest RAX-free registers through the gprs pointer.
	push rsi                ; guest rsi; the frame above moved by 8
	mov rsi, [rsp + 16]     ; struct svm_gprs *
	mov [rsi + G_RBX], rbx
	mov [rsi + G_RCX], rcx
	mov [rsi + G_RDX], rdx
	mov [rsi + G_RDI], rdi
	mov [rsi + G_RBP], rbp
	mov [rsi + G_R8],  r8
	mov [rsi + G_R9],  r9
	mov [rsi + G_R10], r10
	mov [rsi + G_R11], r11
	mov [rsi + G_R12], r12
	mov [rsi + G_R13], r13
	mov [rsi + G_R14], r14
	mov [rsi + G_R15], r15
	pop rax
	mov [rsi + G_RSI], rax

	cli
	mov rax, [rsp + 16]
	vmload                  ; host hidden state back
	stgi                    ; IF is 0: a pending interrupt waits for the run loop

	; No guest value survives in a register the C code could leak or use.
	xor ebx, ebx
	CLEAR_SCRATCH

	add rsp, 24
	POP_CALLEE_SAVED
	ret

;
; void svm_world_switch_es(u64 guest_vmcb_pa, u64 host_vmcb_pa, u8 *host_save_vmsa)
;
; SEV-ES: the host save area (VMSA layout) holds RBX 0x318, RBP 0x328, R12..R15 0x360..0x378;
; #VMEXIT reloads them from there (type B state). RAX and RSP are saved and restored by
; VMRUN/#VMEXIT as usual; the other GPRs come back zero or unchanged and hold no guest value.
%define HS_RBX 0x318
%define HS_RBP 0x328
%define HS_R12 0x360
%define HS_R13 0x368
%define HS_R14 0x370
%define HS_R15 0x378

global svm_world_switch_es
svm_world_switch_es:
	PUSH_CALLEE_SAVED
	push rsi                ; [rsp] host VMCB PA

	mov [rdx + HS_RBX], rbx
	mov [rdx + HS_RBP], rbp
	mov [rdx + HS_R12], r12
	mov [rdx + HS_R13], r13
	mov [rdx + HS_R14], r14
	mov [rdx + HS_R15], r15

	clgi
	sti
	mov rax, rdi
	vmrun
	cli
	mov rax, [rsp]
	vmload                  ; host hidden state back
	stgi

	CLEAR_SCRATCH

	add rsp, 8
	POP_CALLEE_SAVED
	ret

; void svm_host_vmsave(u64 host_vmcb_pa): the host's hidden state into the host VMCB page, once.
global svm_host_vmsave
svm_host_vmsave:
	mov rax, rdi
	vmsave
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
