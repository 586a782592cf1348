; The long-mode round trip of lm_roundtrip.c (issue 10 item 6): out of long mode and back,
; the way kernels and firmware do it, with EFER changed by read-modify-write (rdmsr; and/or;
; wrmsr), never by writing a constant:
;
;   64-bit --retf--> compatibility mode --CR0.PG=0--> paging off (LME=1, PAE=1)
;   --EFER.LME=0--> --CR4.PAE=0--> plain protected mode
;   --EFER.LME=1--> (LME=1 with PAE=0: an exit here used to bring sevisor down under QEMU TCG)
;   --CR4.PAE=1--> --CR0.PG=1--> compatibility mode --far jmp--> 64-bit mode.
;
; Leaving follows AMD APM vol. 2, 14.7 (from compatibility mode: PG off, then LME off); entering
; follows 14.6.1 (PAE and LME before PG; the APM does not order those two, and this walk sets LME
; first on purpose). In every state (STATE macro) the walk records CR0, CR4 and EFER, writes EFER
; back with SCE flipped and then restored (each write is one bit away from what was read:
; under SEV-ES the value read has SVME set), and takes an exit with CPUID. Under SEV-ES, CPUID
; raises #VC: in long mode (64-bit and compatibility) through the runtime's 64-bit IDT and #VC
; handler; with long mode off through this file's 32-bit IDT, whose #VC handler answers CPUID
; with the GHCB MSR protocol, as firmware does before it has a GHCB page. All code and data are
; below 4 GiB and identity-mapped, so addresses stay valid with paging on and off.

%define REC_SIZE    32
%define REC_REACHED 0
%define REC_CR0     4
%define REC_CR4     8
%define REC_EFER    12
%define REC_FLIP    16
%define REC_BACK    20
%define REC_CPUID   24
%define REC_VC32    28
%define LR_COUNT    9

%define GDT_CODE64 0x08                 ; the runtime's GDT (entry.asm)
%define GDT_CODE32 0x18

%define CR0_PG   (1 << 31)
%define CR4_PAE  (1 << 5)
%define MSR_EFER 0xC0000080
%define EFER_SCE (1 << 0)
%define EFER_LME (1 << 8)

%define VC_VECTOR 29
%define GATE32_INTR 0x8E                ; P, DPL 0, 32-bit interrupt gate (APM 4.8.4)
%define SVM_EXIT_CPUID 0x72
%define MSR_GHCB 0xC0010130
%define GHCB_CPUID_REQ 0x004            ; GHCB spec 2.3.1: [63:32] leaf, [31:30] register
%define GHCB_CPUID_RESP 0x005
%define GHCB_TERM_RT_VC32 ((0xF << 12) | (3 << 16)) ; runtime set 0xF, code 3: bad #VC frame

%macro VMGEXIT 0
	db 0xF3, 0x0F, 0x01, 0xD9
%endmacro

global lr_walk, lr_log, lr_vc32_count, lr_vc32_err, lr_vc32_bad
extern ghcb_terminate32

; STATE n: the record of state n. 16-, 32- or 64-bit code alike (addresses < 2 GiB).
%macro STATE 1
	mov dword [lr_log + %1 * REC_SIZE + REC_REACHED], 1
%if __BITS__ == 64
	mov rax, cr0
%else
	mov eax, cr0
%endif
	mov [lr_log + %1 * REC_SIZE + REC_CR0], eax
%if __BITS__ == 64
	mov rax, cr4
%else
	mov eax, cr4
%endif
	mov [lr_log + %1 * REC_SIZE + REC_CR4], eax
	mov ecx, MSR_EFER
	rdmsr
	mov [lr_log + %1 * REC_SIZE + REC_EFER], eax
	xor eax, EFER_SCE               ; write back with one bit changed
	wrmsr
	rdmsr
	mov [lr_log + %1 * REC_SIZE + REC_FLIP], eax
	xor eax, EFER_SCE               ; and back
	wrmsr
	rdmsr
	mov [lr_log + %1 * REC_SIZE + REC_BACK], eax
	xor eax, eax                    ; the exit: CPUID leaf 0
	xor ecx, ecx
	cpuid
	mov [lr_log + %1 * REC_SIZE + REC_CPUID], ebx
	mov eax, [lr_vc32_count]
	mov [lr_log + %1 * REC_SIZE + REC_VC32], eax
%endmacro

section .text
bits 64
; void lr_walk(void): System V ABI, callee-saved registers kept.
lr_walk:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	mov [saved_rsp], rsp
	sidt [idt64_ptr]
	; The 32-bit #VC gate (its offset is split, which the linker cannot do for us).
	mov eax, vc32
	mov [idt32 + VC_VECTOR * 8], ax
	shr eax, 16
	mov [idt32 + VC_VECTOR * 8 + 6], ax
	mov word [idt32 + VC_VECTOR * 8 + 2], GDT_CODE32
	mov byte [idt32 + VC_VECTOR * 8 + 5], GATE32_INTR

	STATE 0
	push GDT_CODE32                 ; far return into the 32-bit code segment
	mov eax, compat
	push rax
	o64 retf

bits 32
compat:
	STATE 1
	mov eax, cr0                    ; leave long mode: paging off, from compatibility mode
	and eax, ~CR0_PG
	mov cr0, eax
	jmp .legacy                     ; a branch right after the paging change
.legacy:
	lidt [idt32_ptr]                ; LMA=0: 32-bit gates from here on
	STATE 2
	mov ecx, MSR_EFER               ; LME off
	rdmsr
	and eax, ~EFER_LME
	wrmsr
	STATE 3
	mov eax, cr4                    ; PAE off
	and eax, ~CR4_PAE
	mov cr4, eax
	STATE 4
	mov ecx, MSR_EFER               ; LME on, PAE still off
	rdmsr
	or eax, EFER_LME
	wrmsr
	STATE 5
	mov eax, cr4                    ; PAE on
	or eax, CR4_PAE
	mov cr4, eax
	STATE 6
	lidt [idt64_ptr]                ; 64-bit gates again once paging makes LMA=1
	mov eax, cr0                    ; paging on: long mode, this 32-bit CS is compatibility mode
	or eax, CR0_PG
	mov cr0, eax
	jmp .compat_again
.compat_again:
	STATE 7
	jmp GDT_CODE64:back64

bits 64
back64:
	lidt [idt64_ptr]                ; with the 64-bit base
	STATE 8
	mov rsp, [saved_rsp]
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

bits 32
; #VC with long mode off (32-bit interrupt gate, same privilege: APM 8.7.3). Stack after the
; PUSHAD: EDI ESI EBP ESP EBX EDX ECX EAX at +0..+28, then the error code (+32), EIP (+36), CS,
; EFLAGS. Only CPUID (error code 0x72) is expected: its four registers come from four GHCB MSR
; protocol CPUID requests; the GHCB MSR is put back as it was; EIP steps over the 2 bytes.
; Anything else means the frame or the error code is wrong: terminate through the GHCB MSR.
vc32:
	pushad
	mov ebp, esp
	inc dword [lr_vc32_count]
	mov eax, [ebp + 32]
	mov [lr_vc32_err], eax
	cmp eax, SVM_EXIT_CPUID
	jne .bad
	mov ecx, MSR_GHCB
	rdmsr
	push edx
	push eax
	mov edi, [ebp + 28]             ; the leaf: the interrupted EAX (its slot takes the answer)
	xor esi, esi
.next:
	mov eax, esi
	shl eax, 30
	or eax, GHCB_CPUID_REQ
	mov edx, edi
	mov ecx, MSR_GHCB
	wrmsr
	VMGEXIT
	mov ecx, MSR_GHCB
	rdmsr
	mov ebx, eax
	and ebx, 0xFFF
	cmp ebx, GHCB_CPUID_RESP
	jne .bad
	mov ebx, eax
	shr ebx, 30
	cmp ebx, esi
	jne .bad
	mov ebx, [vc32_slots + esi * 4]
	mov [ebp + ebx], edx
	inc esi
	cmp esi, 4
	jb .next
	pop eax
	pop edx
	mov ecx, MSR_GHCB
	wrmsr
	add dword [ebp + 36], 2         ; past CPUID (0F A2)
	popad
	add esp, 4                      ; the error code
	iretd
.bad:
	inc dword [lr_vc32_bad]
	mov eax, GHCB_TERM_RT_VC32
	jmp ghcb_terminate32            ; entry.asm

section .rodata
; PUSHAD offsets of EAX, EBX, ECX, EDX: the GHCB CPUID register numbers 0..3.
vc32_slots: dd 28, 16, 24, 20

section .data
align 8
idt32_ptr:
	dw 32 * 8 - 1
	dd idt32
align 8
idt64_ptr:
	dw 0
	dq 0
saved_rsp: dq 0
lr_vc32_count: dd 0
lr_vc32_err: dd 0
lr_vc32_bad: dd 0
align 16
idt32: times 32 dq 0
lr_log: times LR_COUNT * REC_SIZE db 0

section .note.GNU-stack noalloc noexec nowrite progbits
