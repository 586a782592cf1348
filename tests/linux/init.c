/* The Linux guest's /init: checks what userspace relies on, reports each check through the
 * kernel log (/dev/kmsg, which reaches the console synchronously), and writes its verdict to
 * isa-debug-exit (port 0xF4) like every other guest program: 0 when all checks pass, 1 if not.
 * Built static with the host compiler; the initramfs holds only this file and three empty
 * directories (tests/linux/linux.mk). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cpuid.h>
#include <linux/rtc.h>
#include <poll.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEBUG_EXIT_PORT 0xF4
#define ANON_BYTES (16u << 20)
#define PAGE 4096u
#define SYSLOG_READ_ALL 3
#define SYSLOG_SIZE_BUFFER 10

static int kmsg = -1;
static int failures;

static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (kmsg >= 0 && write(kmsg, line, strlen(line)) >= 0)
		return;
	fputs(line, stderr);
}

static void check(int ok, const char *what, const char *detail)
{
	say("sevisor-init: %s: %s%s%s\n", ok ? "PASS" : "FAIL", what, detail && *detail ? ": " : "",
	    detail ? detail : "");
	if (!ok)
		failures++;
}

static int mount_fs(const char *type, const char *dir)
{
	mkdir(dir, 0755);
	return mount(type, dir, type, 0, NULL) == 0 || errno == EBUSY;
}

/* The "flags" line of /proc/cpuinfo has the word. */
static int cpu_flag(const char *flags, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = flags; (p = strstr(p, word)); p += n)
		if (p[-1] == ' ' && (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return 1;
	return 0;
}

static void check_cpu_flags(void)
{
	static char buf[1 << 16];
	FILE *f = fopen("/proc/cpuinfo", "r");
	char *flags = NULL;
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = 0;
	flags = strstr(buf, "\nflags");
	check(flags != NULL, "/proc/cpuinfo has a flags line", NULL);
	if (!flags)
		return;
	check(cpu_flag(flags, "hypervisor"), "CPU flag hypervisor is set", NULL);
	check(!cpu_flag(flags, "svm"), "CPU flag svm is clear", NULL);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void check_sleep(void)
{
	struct timespec one = { 1, 0 };
	double t0 = now_s();
	int r = nanosleep(&one, NULL);
	double dt = now_s() - t0;
	char d[64];
	snprintf(d, sizeof(d), "%.3f s", dt);
	check(r == 0 && dt >= 1.0 && dt < 1.5, "nanosleep(1 s) returns after about 1 s", d);
}

static void check_memory(void)
{
	unsigned char *p = mmap(NULL, ANON_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ok = p != MAP_FAILED;
	if (ok) {
		for (unsigned i = 0; i < ANON_BYTES; i += PAGE)
			p[i] = (unsigned char)(i / PAGE * 13);
		for (unsigned i = 0; i < ANON_BYTES && ok; i += PAGE)
			ok = p[i] == (unsigned char)(i / PAGE * 13);
		munmap(p, ANON_BYTES);
	}
	check(ok, "16 MiB of anonymous memory written and read back", NULL);
}

/* The RTC's interrupt (IRQ 8): with update interrupts on, rtc-cmos arms the MC146818's alarm
 * for the next second (the RTC core emulates UIE with alarms); read() returns once the
 * interrupt handler saw the flag in status C. Waited for with poll(), 3 s at most; then the
 * interrupt count of IRQ 8 in /proc/interrupts is non-zero. */
static unsigned long irq8_count(void)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[256];
	unsigned long n = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " 8: %lu", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

static void check_rtc_interrupt(void)
{
	int fd = open("/dev/rtc0", O_RDONLY);
	int ok = fd >= 0 && ioctl(fd, RTC_UIE_ON, 0) == 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	double t0 = now_s();
	unsigned long data = 0;
	ok = ok && poll(&p, 1, 3000) == 1 && read(fd, &data, sizeof(data)) == sizeof(data);
	double dt = now_s() - t0;
	if (fd >= 0) {
		ioctl(fd, RTC_UIE_OFF, 0);
		close(fd);
	}
	unsigned long n = irq8_count();
	char d[96];
	snprintf(d, sizeof(d), "after %.3f s, IRQ 8 count %lu", dt, n);
	check(ok && dt <= 1.5 && n > 0, "RTC update interrupt arrives on IRQ 8", d);
	if (!(ok && dt <= 1.5 && n > 0)) {
		/* For the diagnosis: who has taken which interrupts. */
		FILE *f = fopen("/proc/interrupts", "r");
		char line[256];
		while (f && fgets(line, sizeof(line), f))
			say("sevisor-init: /proc/interrupts: %s", line);
		if (f)
			fclose(f);
	}
}

/* Kernel log lines that must not appear (issue 13): splats (a WARN starts "WARNING: CPU: N PID:";
 * a bare "WARNING:" also appears in mitigation notices) and timer/clock complaints. */
static const char *const bad_log[] = {
	"BUG:", "Oops", "WARNING: CPU:", "timer doesn't work", "APIC timer disabled", "TSC unstable",
	"Marking TSC unstable", "clocksource watchdog", "timekeeping watchdog", "Call Trace",
};

static void check_kernel_log(void)
{
	int size = klogctl(SYSLOG_SIZE_BUFFER, NULL, 0);
	char *log = size > 0 ? malloc((size_t)size + 1) : NULL;
	int n = log ? klogctl(SYSLOG_READ_ALL, log, size) : -1;
	check(n > 0, "kernel log readable", NULL);
	if (n <= 0)
		return;
	log[n] = 0;
	for (unsigned i = 0; i < sizeof(bad_log) / sizeof(bad_log[0]); i++) {
		const char *hit = strstr(log, bad_log[i]);
		char what[96];
		snprintf(what, sizeof(what), "no \"%s\" in the kernel log", bad_log[i]);
		char line[160] = "";
		if (hit) {
			const char *start = hit;
			while (start > log && start[-1] != '\n')
				start--;
			snprintf(line, sizeof(line), "%.*s", (int)strcspn(start, "\n"), start);
		}
		check(!hit, what, line);
	}
	/* The TSC calibration: "tsc: Detected N MHz processor" or a refined value. */
	const char *det = strstr(log, "tsc: Refined TSC clocksource calibration: ");
	const char *key = "tsc: Refined TSC clocksource calibration: ";
	if (!det) {
		det = strstr(log, "tsc: Detected ");
		key = "tsc: Detected ";
	}
	double mhz = det ? atof(det + strlen(key)) : 0;
	char d[64];
	snprintf(d, sizeof(d), "tsc_mhz=%.3f", mhz);
	check(mhz > 0, "TSC calibrated", d);
	free(log);
}

/* An SEV-ES guest (CPUID 0x8000001F EAX bit 3, which sevisor shows only to sev-es and soft-es
 * guests; APM vol. 3, E.4.17) must run with SEV-ES active: the kernel says so once at boot
 * (arch/x86/mm/mem_encrypt.c print_mem_encrypt_feature_info), and CPUID, reached here from
 * user mode through the kernel's #VC handler, must not show SVM (Linux clears it for SEV
 * guests). The CPUID itself is the first #VC from CPL 3. */
#define SEV_LEAF 0x8000001Fu
#define SEV_ES_BIT (1u << 3)
#define SEV_ES_ACTIVE "Memory Encryption Features active: AMD SEV SEV-ES"

static int sev_es_guest(void)
{
	unsigned eax, ebx, ecx, edx;
	if (!__get_cpuid(0x80000000u, &eax, &ebx, &ecx, &edx) || eax < SEV_LEAF)
		return 0;
	__cpuid(SEV_LEAF, eax, ebx, ecx, edx);
	return (eax & SEV_ES_BIT) != 0;
}

static void check_sev_es(void)
{
	if (!sev_es_guest())
		return;
	say("sevisor-init: CPUID 0x8000001F shows SEV-ES: checking it is active\n");
	int size = klogctl(SYSLOG_SIZE_BUFFER, NULL, 0);
	char *log = size > 0 ? malloc((size_t)size + 1) : NULL;
	int n = log ? klogctl(SYSLOG_READ_ALL, log, size) : -1;
	if (n >= 0)
		log[n] = 0;
	check(n > 0 && strstr(log, SEV_ES_ACTIVE) != NULL, "kernel log: " SEV_ES_ACTIVE, NULL);
	free(log);
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	int svm = 0, seen = 0;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5)) {
			seen = 1;
			svm |= cpu_flag(line, "svm");
		}
	if (f)
		fclose(f);
	check(seen && !svm, "SEV-ES: /proc/cpuinfo shows no svm", NULL);
}

int main(void)
{
	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	kmsg = open("/dev/kmsg", O_WRONLY);
	say("sevisor-init: started\n");
	check(mount_fs("proc", "/proc"), "mount /proc", NULL);
	check(mount_fs("sysfs", "/sys"), "mount /sys", NULL);
	check(access("/sys/devices/system/cpu/cpu0", F_OK) == 0, "/sys shows cpu0", NULL);
	check_cpu_flags();
	check_sleep();
	check_memory();
	check_rtc_interrupt();
	check_kernel_log();
	check_sev_es();
	int code = failures ? 1 : 0;
	say("sevisor-init: verdict %d (%d failure%s)\n", code, failures, failures == 1 ? "" : "s");
	if (ioperm(DEBUG_EXIT_PORT, 4, 1) == 0)
		outl((unsigned)code, DEBUG_EXIT_PORT);
	else
		say("sevisor-init: ioperm failed: %s\n", strerror(errno));
	for (;;)
		pause();
}
