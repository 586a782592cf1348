; Exception and interrupt entry stubs, and the GDT/IDT/TR loader.
; Each stub pushes a dummy error code when the CPU does not push one (APM vol. 2, 8.4.2:
; vectors 8, 10-14, 17, 21, 29, 30 have one), then the vector, then jumps to the common path,
; which saves the GPRs in struct exc_frame order (arch/x86/desc.h) and calls exception_dispatch.
bits 64
default rel
section .text

extern exception_dispatch

%macro STUB 1
isr_%1:
%if (%1 = 8) || (%1 >= 10 && %1 <= 14) || (%1 = 17) || (%1 = 21) || (%1 = 29) || (%1 = 30)
	push qword %1
%else
	push qword 0
	push qword %1
%endif
	jmp isr_common
%endmacro


%assign i 0
%rep 32
STUB i
%assign i i+1
%endrep
STUB 0xEF
STUB 0xFF

isr_common:
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
	mov rdi, rsp
	mov rbx, rsp
	and rsp, -16
	cld
	call exception_dispatch wrt ..plt
	mov rsp, rbx
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
	add rsp, 16 ; vector and error code
	iretq

; void desc_load(const struct desc_ptr *gdtr, const struct desc_ptr *idtr, u16 cs, u16 ds, u16 tr)
global desc_load
desc_load:
	lgdt [rdi]
	lidt [rsi]
	mov ds, ecx
	mov es, ecx
	mov ss, ecx
	mov fs, ecx
	mov gs, ecx
	ltr r8w
	; Reload CS with a far return: push the selector and the address to continue at.
	lea rax, [.reloaded]
	push rdx
	push rax
	retfq
.reloaded:
	ret

section .data
global isr_stub_table
align 8
isr_stub_table:
%assign i 0
%rep 32
	dq isr_ %+ i
%assign i i+1
%endrep
	dq isr_0xEF
	dq isr_0xFF

section .note.GNU-stack noalloc noexec nowrite progbits
