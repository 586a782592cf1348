; The 32 exception entry points and 16 interrupt vectors (32-47, exc.h IRQ_*). Each pushes a dummy error code where the CPU pushes none (so
; that every frame has one layout, struct exc_frame in exc.h), then the vector, saves the
; general-purpose registers and calls exc_dispatch(frame). The frame may be changed by the
; handler (RIP for recovery, RAX/RDX/... for an emulated instruction under SEV-ES).

extern exc_dispatch
global exc_stub_table


section .text progbits alloc exec nowrite align=16
bits 64

; The CPU pushes an error code for #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC and #SX
; (APM vol. 2, 8.2; 15.35.5 for #VC).
%macro STUB 1
exc_stub_%1:
	%assign has_err 0
	%if %1 = 8 || %1 = 10 || %1 = 11 || %1 = 12 || %1 = 13 || %1 = 14 || %1 = 17 || %1 = 21 || %1 = 29 || %1 = 30
		%assign has_err 1
	%endif
	%if has_err = 0
	push 0
	%endif
	push %1
	jmp exc_common
%endmacro

%assign v 0
%rep 48
	STUB v
	%assign v v + 1
%endrep

exc_common:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	mov rdi, rsp                    ; 16-byte aligned here: 5 CPU qwords + 2 + 15 = 22 qwords
	cld
	call exc_dispatch
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16                     ; vector and error code
	iretq

section .rodata progbits alloc noexec nowrite align=8
exc_stub_table:
%assign v 0
%rep 48
	dq exc_stub_ %+ v
	%assign v v + 1
%endrep
