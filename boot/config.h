/* sevisor.cfg: the boot volume's configuration file (DESIGN.md "Configuration").
 *
 *   # comment (also ';')
 *   [sevisor]
 *   log = com1,debugcon        sinks: com1, debugcon, conout
 *   log_level = info           error | warn | info | debug
 *   on_finish = debug-exit     debug-exit | halt | reboot
 *   default_mode = plain       plain | sev-es | soft-es | auto
 *
 *   [guest NAME]
 *   kernel = guests/x.elf      Multiboot v1 ELF or Linux bzImage, path on the boot volume (required)
 *   initrd = PATH              Linux initial RAM disk (bzImage kernels only)
 *   cmdline = text
 *   module = PATH ARGS         repeatable
 *   memory = 16M               bytes, with optional K/M/G suffix (default 16M)
 *   mode = plain               as default_mode
 *   expect = 0                 the exit code that counts as pass, or "terminated" or "reset"
 *   timeout = 10s              s or ms suffix; a bare number is seconds (default 30s)
 *   unbacked = terminate       terminate | ignore: guest accesses to GPAs with nothing there
 *   ignore_msrs = no           yes | no
 *   mce_banks = 6              machine-check banks shown in MCG_CAP
 *   policy = 0x7               SEV guest policy for sev-es/soft-es/auto guests (SEV API
 *                              LAUNCH_START; default ES|NOKS|NODBG = 0x7): no reserved bits
 *                              6..15, ES (bit 2) set
 *
 * Parsing is pure and all-or-nothing: the first error stops it with file, line and reason, and
 * sevisor stops before it changes anything. */
#ifndef BOOT_CONFIG_H
#define BOOT_CONFIG_H

#include "lib/types.h"
#include "lib/log.h"
#include "svm/vm.h"

#define CFG_MAX_GUESTS 32
#define CFG_MAX_MODULES 4
#define CFG_PATH_MAX 96
#define CFG_CMDLINE_MAX 256
#define CFG_SINKS_MAX 64
#define CFG_LINE_MAX 512

enum cfg_finish {
	CFG_FINISH_DEBUG_EXIT = 0, /* write the status to isa-debug-exit (0xF4), then halt */
	CFG_FINISH_HALT,
	CFG_FINISH_REBOOT,
};

enum cfg_unbacked {
	CFG_UNBACKED_TERMINATE = 0,
	CFG_UNBACKED_IGNORE,
};

/* mode = auto picks sev-es where the platform can launch SEV-ES guests, else soft-es. */
#define CFG_MODE_AUTO 0xFF

struct cfg_module {
	char path[CFG_PATH_MAX];
	char args[CFG_CMDLINE_MAX];
	unsigned line;
};

struct cfg_guest {
	char name[VM_NAME_MAX];
	unsigned line; /* of the [guest NAME] header */
	char kernel[CFG_PATH_MAX];
	unsigned kernel_line;
	char initrd[CFG_PATH_MAX]; /* empty: none */
	unsigned initrd_line;
	char cmdline[CFG_CMDLINE_MAX];
	struct cfg_module modules[CFG_MAX_MODULES];
	unsigned nr_modules;
	u64 memory;
	u8 mode; /* enum vm_mode or CFG_MODE_AUTO */
	bool mode_set;
	bool expect_terminated;
	bool expect_reset;
	u32 expect_code;
	u64 timeout_ms;
	enum cfg_unbacked unbacked;
	bool ignore_msrs;
	unsigned mce_banks;
	u32 policy; /* SEV guest policy (sev/psp_cmd.h SEV_POLICY_*) */
	bool policy_set;
	unsigned policy_line;
};

struct cfg {
	char log_sinks[CFG_SINKS_MAX];
	enum log_level log_level;
	enum cfg_finish on_finish;
	u8 default_mode;
	struct cfg_guest guests[CFG_MAX_GUESTS];
	unsigned nr_guests;
};

struct cfg_error {
	unsigned line; /* 0: not tied to a line */
	char reason[160];
};

#define CFG_DEFAULT_MEMORY MiB(16)
#define CFG_MIN_MEMORY MiB(2)
#define CFG_MAX_MEMORY GiB(64)
#define CFG_DEFAULT_TIMEOUT_MS 30000ULL
#define CFG_DEFAULT_MCE_BANKS 6
#define CFG_MAX_MCE_BANKS 32

void cfg_defaults(struct cfg *c);
/* Parses text (not necessarily NUL-terminated). On error fills err and returns false. */
bool cfg_parse(const char *text, size_t len, struct cfg *out, struct cfg_error *err);

const char *cfg_finish_name(enum cfg_finish f);
const char *cfg_mode_name(u8 mode);

#endif
