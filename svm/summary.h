/* Per-guest verdicts and the closing summary table (pure). A guest passes when it ended the
 * way its config's `expect` says: with that exit code through isa-debug-exit, or terminated by
 * sevisor. Every verdict is also one machine-readable line:
 *   @sevisor result guest=NAME verdict=pass|fail|terminated outcome=exit:N|terminated
 *            expect=N|terminated exits=N injected=N time_ms=N reason="..."
 * (injected: exceptions sevisor injected into the guest, svm_queue_exception). A guest that sent
 * GHCB requests (SEV-ES, soft-es) also gets one line with its requests counted by code:
 *   @sevisor ghcb guest=NAME msr=N page=N events="msr:SEV_INFO_REQ=1 CPUID=12 IOIO=3 ..."
 * and a soft-es guest that took #VC exceptions one with them counted by exit code (the #VC
 * error code, named as in svm_exit_name):
 *   @sevisor vc guest=NAME CPUID=9 IOIO=2 NPF=4 ... */
#ifndef SVM_SUMMARY_H
#define SVM_SUMMARY_H

#include "boot/config.h"
#include "boot/status.h"
#include "svm/vcpu.h"

enum verdict { VERDICT_PASS, VERDICT_FAIL, VERDICT_TERMINATED };

struct summary_row {
	char name[VM_NAME_MAX];
	enum vm_mode mode;
	enum verdict verdict;
	u64 time_ms;
	u64 exits;
	char top_exits[120];
	u64 injected;
	char top_injected[64]; /* "#GP=2 #DB=1": the most frequent injected exceptions */
	char ghcb_events[320]; /* GHCB requests by code (ghcb_counts_format); "" when none */
	char vc_events[320];   /* soft-es #VC by exit code (soft_es_vc_format); "" when none */
};

struct summary {
	struct summary_row rows[CFG_MAX_GUESTS];
	unsigned nr;
	u64 tsc_hz;
};

enum verdict summary_verdict(const struct cfg_guest *c, const struct vm *vm);
const char *summary_verdict_name(enum verdict v);
void summary_init(struct summary *s, u64 tsc_hz);
/* Records one finished guest and prints its @sevisor result line. */
void summary_add(struct summary *s, const struct cfg_guest *c, const struct vm *vm, const struct vcpu *v,
		 u64 tsc_elapsed);
/* Prints the table; returns OK when every guest passed. */
enum sevisor_status summary_print(const struct summary *s);

#endif
