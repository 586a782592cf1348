/* PSP command buffers (byte offsets from the SEV API #55766 / ghcb-sev-facts.md F.4), status
 * names (F.7), and the soft PSP's state machines (F.5, F.6): one test per illegal transition,
 * each with the status code the SEV API gives it. */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "sev/soft_psp.h"
#include "sev/psp_cmd.h"

/* ---- command buffers: fields land at the spec's byte offsets, little endian ---- */

static u64 rd(const void *buf, unsigned off, unsigned size)
{
	u64 v = 0;
	memcpy(&v, (const u8 *)buf + off, size);
	return v;
}

static void test_buffer_offsets(void **state)
{
	(void)state;
	struct sev_data_init init = { .flags = 0x1, .tmr_address = 0x1122334455667788ULL, .tmr_length = 0x100000 };
	assert_int_equal(sizeof(init), 0x14);
	assert_int_equal(rd(&init, 0x00, 4), 1);
	assert_int_equal(rd(&init, 0x08, 8), 0x1122334455667788ULL);
	assert_int_equal(rd(&init, 0x10, 4), 0x100000);

	u8 ps_raw[12] = { 0, 24, 2, 1, 0x01, 0x00, 0, 17, 3, 0, 0, 0 };
	struct sev_data_platform_status ps;
	memcpy(&ps, ps_raw, sizeof(ps));
	assert_int_equal(ps.api_major, 0);
	assert_int_equal(ps.api_minor, 24);
	assert_int_equal(ps.state, SEV_PLATFORM_WORKING);
	assert_int_equal(ps.platform_flags, SEV_PLATFORM_FLAG_OWNER);
	assert_int_equal(ps.config_flags, SEV_PLATFORM_CONFIG_ES);
	assert_int_equal(ps.build, 17);
	assert_int_equal(ps.guest_count, 3);

	struct sev_data_activate act = { .handle = 0xA1, .asid = 0xB2 };
	assert_int_equal(sizeof(act), 8);
	assert_int_equal(rd(&act, 0, 4), 0xA1);
	assert_int_equal(rd(&act, 4, 4), 0xB2);

	struct sev_data_handle h = { .handle = 7 };
	assert_int_equal(sizeof(h), 4);
	assert_int_equal(rd(&h, 0, 4), 7);

	struct sev_data_guest_status gs = { .handle = 1, .policy = 2, .asid = 3, .state = 4 };
	assert_int_equal(rd(&gs, 0x0, 4), 1);
	assert_int_equal(rd(&gs, 0x4, 4), 2);
	assert_int_equal(rd(&gs, 0x8, 4), 3);
	assert_int_equal(rd(&gs, 0xC, 1), 4);

	struct sev_data_launch_start ls = { .handle = 1, .policy = 0x7, .dh_cert_address = 0xAABB,
					    .dh_cert_len = 0x10, .session_address = 0xCCDD, .session_len = 0x20 };
	assert_int_equal(sizeof(ls), 0x24);
	assert_int_equal(rd(&ls, 0x00, 4), 1);
	assert_int_equal(rd(&ls, 0x04, 4), 7);
	assert_int_equal(rd(&ls, 0x08, 8), 0xAABB);
	assert_int_equal(rd(&ls, 0x10, 4), 0x10);
	assert_int_equal(rd(&ls, 0x18, 8), 0xCCDD);
	assert_int_equal(rd(&ls, 0x20, 4), 0x20);

	struct sev_data_launch_update lu = { .handle = 9, .address = 0x8000000000001000ULL, .length = 4096 };
	assert_int_equal(sizeof(lu), 0x14);
	assert_int_equal(rd(&lu, 0x00, 4), 9);
	assert_int_equal(rd(&lu, 0x08, 8), 0x8000000000001000ULL);
	assert_int_equal(rd(&lu, 0x10, 4), 4096);

	struct sev_data_launch_measure lm = { .handle = 9, .address = 0x2000, .length = 48 };
	assert_int_equal(sizeof(lm), 0x14);
	assert_int_equal(rd(&lm, 0x08, 8), 0x2000);
	assert_int_equal(rd(&lm, 0x10, 4), 48);
	assert_int_equal(sizeof(struct sev_measurement), 48);
	assert_int_equal(offsetof(struct sev_measurement, mnonce), 0x20);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(sev_status_name(0x0E), "WBINVD_REQUIRED");
	assert_string_equal(sev_status_name(0x0F), "DFFLUSH_REQUIRED");
	assert_string_equal(sev_status_name(0x18), "SECURE_DATA_INVALID");
	assert_string_equal(sev_status_name(0x13), "HWERROR_PLATFORM");
	assert_string_equal(sev_status_name(0x99), "UNKNOWN");
	assert_string_equal(sev_cmd_name(0x33), "LAUNCH_MEASURE");
	assert_string_equal(sev_cmd_name(0x0A), "DF_FLUSH");
	assert_string_equal(sev_platform_state_name(2), "WORKING");
	assert_string_equal(sev_guest_state_name(2), "LSECRET");
}

/* ---- the soft PSP ---- */

static struct soft_psp sp;
static u8 tmr[2 * 1024 * 1024];
static u8 page[8192] __attribute__((aligned(4096)));
static struct sev_measurement meas;

static u32 cmd(u32 id, void *buf)
{
	return sp.psp.ops->submit(&sp.psp, id, buf);
}

static u64 tmr_pa(void)
{
	return ALIGN_UP((u64)(uintptr_t)tmr, SEV_TMR_SIZE);
}

static u32 do_init(void)
{
	struct sev_data_init d = { SEV_INIT_FLAGS_SEV_ES, 0, tmr_pa(), SEV_TMR_SIZE };
	return cmd(SEV_CMD_INIT, &d);
}

static void platform_ready(void)
{
	soft_psp_init(&sp, 4, 1234);
	assert_int_equal(do_init(), SEV_OK);
	sp.psp.ops->wbinvd_all(&sp.psp);
	assert_int_equal(cmd(SEV_CMD_DF_FLUSH, NULL), SEV_OK);
}

static u32 start(u32 policy, u32 *handle)
{
	struct sev_data_launch_start d = { .policy = policy };
	u32 st = cmd(SEV_CMD_LAUNCH_START, &d);
	*handle = d.handle;
	return st;
}

static u32 activate(u32 handle, u32 asid)
{
	struct sev_data_activate d = { handle, asid };
	return cmd(SEV_CMD_ACTIVATE, &d);
}

static u32 update(u32 id, u32 handle, u64 addr, u32 len)
{
	struct sev_data_launch_update d = { .handle = handle, .address = addr, .length = len };
	return cmd(id, &d);
}

static u64 page_pa(void)
{
	return (u64)(uintptr_t)page | BIT(SEV_SOFT_PSP_CBIT);
}

static u32 measure(u32 handle)
{
	struct sev_data_launch_measure d = { .handle = handle, .address = (u64)(uintptr_t)&meas, .length = sizeof(meas) };
	return cmd(SEV_CMD_LAUNCH_MEASURE, &d);
}

static u32 by_handle(u32 id, u32 handle)
{
	struct sev_data_handle d = { handle };
	return cmd(id, &d);
}

/* A guest through LUPDATE with an active ASID. */
static u32 launched_to_lupdate(u32 asid)
{
	u32 h;
	assert_int_equal(start(SEV_POLICY_DEFAULT, &h), SEV_OK);
	assert_int_equal(activate(h, asid), SEV_OK);
	return h;
}

static void test_full_sequence(void **state)
{
	(void)state;
	platform_ready();
	u32 h = launched_to_lupdate(1);
	assert_int_equal(update(SEV_CMD_LAUNCH_UPDATE_DATA, h, page_pa(), 4096), SEV_OK);
	assert_int_equal(update(SEV_CMD_LAUNCH_UPDATE_VMSA, h, page_pa(), 4096), SEV_OK);
	assert_int_equal(measure(h), SEV_OK);
	struct sev_data_guest_status gs = { .handle = h };
	assert_int_equal(cmd(SEV_CMD_GUEST_STATUS, &gs), SEV_OK);
	assert_int_equal(gs.state, SEV_GUEST_LSECRET);
	assert_int_equal(gs.asid, 1);
	assert_int_equal(gs.policy, SEV_POLICY_DEFAULT);
	assert_int_equal(by_handle(SEV_CMD_LAUNCH_FINISH, h), SEV_OK);
	struct sev_data_platform_status ps;
	assert_int_equal(cmd(SEV_CMD_PLATFORM_STATUS, &ps), SEV_OK);
	assert_int_equal(ps.state, SEV_PLATFORM_WORKING);
	assert_int_equal(ps.guest_count, 1);
	assert_int_equal(by_handle(SEV_CMD_DEACTIVATE, h), SEV_OK);
	assert_int_equal(by_handle(SEV_CMD_DECOMMISSION, h), SEV_OK);
	assert_int_equal(cmd(SEV_CMD_PLATFORM_STATUS, &ps), SEV_OK);
	assert_int_equal(ps.state, SEV_PLATFORM_INIT);
	assert_int_equal(ps.guest_count, 0);
}

/* The measurement is HMAC-SHA-256(TIK, 04 || major || minor || build || policy LE || digest ||
 * mnonce) with digest = SHA-256 of the updates' plaintext in order (F.4). Computed here from
 * lib/sha256 directly, not through sev_measurement_compute. */
static void test_measurement_formula(void **state)
{
	(void)state;
	platform_ready();
	for (unsigned i = 0; i < sizeof(page); i++)
		page[i] = (u8)(i * 7);
	u32 h = launched_to_lupdate(2);
	assert_int_equal(update(SEV_CMD_LAUNCH_UPDATE_DATA, h, page_pa(), 32), SEV_OK);
	assert_int_equal(update(SEV_CMD_LAUNCH_UPDATE_DATA, h, page_pa() + 4096, 4096), SEV_OK);
	assert_int_equal(update(SEV_CMD_LAUNCH_UPDATE_VMSA, h, page_pa(), 4096), SEV_OK);
	assert_int_equal(measure(h), SEV_OK);
	u8 digest[32];
	struct sha256_ctx c;
	sha256_init(&c);
	sha256_update(&c, page, 32);
	sha256_update(&c, page + 4096, 4096);
	sha256_update(&c, page, 4096);
	sha256_final(&c, digest);
	u8 msg[8 + 32 + 16] = { 0x04, SEV_SOFT_PSP_API_MAJOR, SEV_SOFT_PSP_API_MINOR, SEV_SOFT_PSP_BUILD,
				0x07, 0x00, 0x00, 0x00 };
	memcpy(msg + 8, digest, 32);
	memcpy(msg + 40, meas.mnonce, 16);
	struct hmac_sha256_ctx hm;
	hmac_sha256_init(&hm, SEV_SOFT_PSP_TIK, 16);
	hmac_sha256_update(&hm, msg, sizeof(msg));
	u8 want[32];
	hmac_sha256_final(&hm, want);
	assert_memory_equal(meas.measurement, want, 32);
	/* The TIK is SHA-256("sevisor soft PSP TIK")[0..15], as soft_psp.h publishes. */
	u8 tik[32];
	sha256("sevisor soft PSP TIK", 20, tik);
	assert_memory_equal(tik, SEV_SOFT_PSP_TIK, 16);
	/* A second launch gets a different mnonce. */
	u8 first[16];
	memcpy(first, meas.mnonce, 16);
	u32 h2 = launched_to_lupdate(3);
	assert_int_equal(measure(h2), SEV_OK);
	assert_memory_not_equal(first, meas.mnonce, 16);
}

/* ---- illegal transitions, one each ---- */

static void test_init_twice_invalid_platform_state(void **state)
{
	(void)state;
	platform_ready();
	assert_int_equal(do_init(), SEV_ERR_INVALID_PLATFORM_STATE);
}

static void test_init_bad_tmr(void **state)
{
	(void)state;
	soft_psp_init(&sp, 4, 0);
	struct sev_data_init d = { SEV_INIT_FLAGS_SEV_ES, 0, tmr_pa() + 4096, SEV_TMR_SIZE };
	assert_int_equal(cmd(SEV_CMD_INIT, &d), SEV_ERR_INVALID_ADDRESS);
	d.tmr_address = tmr_pa();
	d.tmr_length = SEV_TMR_SIZE / 2;
	assert_int_equal(cmd(SEV_CMD_INIT, &d), SEV_ERR_INVALID_LEN);
}

static void test_df_flush_without_wbinvd(void **state)
{
	(void)state;
	soft_psp_init(&sp, 4, 0);
	assert_int_equal(do_init(), SEV_OK);
	assert_int_equal(cmd(SEV_CMD_DF_FLUSH, NULL), SEV_ERR_WBINVD_REQUIRED);
}

static void test_df_flush_uninit(void **state)
{
	(void)state;
	soft_psp_init(&sp, 4, 0);
	sp.psp.ops->wbinvd_all(&sp.psp);
	assert_int_equal(cmd(SEV_CMD_DF_FLUSH, NULL), SEV_ERR_INVALID_PLATFORM_STATE);
}

static void test_launch_start_uninit(void **state)
{
	(void)state;
	soft_psp_init(&sp, 4, 0);
	u32 h;
	assert_int_equal(start(SEV_POLICY_DEFAULT, &h), SEV_ERR_INVALID_PLATFORM_STATE);
}

static void test_launch_start_es_on_non_es_platform(void **state)
{
	(void)state;
	soft_psp_init(&sp, 4, 0);
	struct sev_data_init d = { 0, 0, 0, 0 };
	assert_int_equal(cmd(SEV_CMD_INIT, &d), SEV_OK);
	u32 h;
	assert_int_equal(start(SEV_POLICY_DEFAULT, &h), SEV_ERR_UNSUPPORTED);
}

static void test_launch_start_out_of_handles(void **state)
{
	(void)state;
	platform_ready();
	u32 h;
	for (unsigned i = 0; i < SEV_SOFT_PSP_MAX_GUESTS; i++)
		assert_int_equal(start(SEV_POLICY_DEFAULT, &h), SEV_OK);
	assert_int_equal(start(SEV_POLICY_DEFAULT, &h), SEV_ERR_RESOURCE_LIMIT);
}

static void test_launch_start_share_noks_key(void **state)
{
	(void)state;
	platform_ready();
	u32 h;
	assert_int_equal(start(SEV_POLICY_DEFAULT, &h), SEV_OK);
	struct sev_data_launch_start d = { .handle = h, .policy = SEV_POLICY_DEFAULT };
	assert_int_equal(cmd(SEV_CMD_LAUNCH_START, &d), SEV_ERR_POLICY_FAILURE);
	d.handle = 77;
	assert_int_equal(cmd(SEV_CMD_LAUNCH_START, &d), SEV_ERR_INVALID_GUEST);
}

static void test_activate_dirty_asid(void **state)
{
	(void)state;
	soft_psp_init(&sp, 4, 0);
	assert_int_equal(do_init(), SEV_OK); /* INIT leaves every ASID dirty */
	u32 h;
	assert_int_equal(start(SEV_POLICY_DEFAULT, &h), SEV_OK);
	assert_int_equal(activate(h, 1), SEV_ERR_DFFLUSH_REQUIRED);
}

static void test_activate_asid_outside_es_range(void **state)
{
	(void)state;
	platform_ready();
	u32 h;
	assert_int_equal(start(SEV_POLICY_DEFAULT, &h), SEV_OK);
	assert_int_equal(activate(h, 0), SEV_ERR_INVALID_ASID);
	assert_int_equal(activate(h, 5), SEV_ERR_INVALID_ASID); /* min_sev_asid = 5 */
}

static void test_activate_owned_asid(void **state)
{
	(void)state;
	platform_ready();
	launched_to_lupdate(1);
	u32 h2;
	assert_int_equal(start(SEV_POLICY_DEFAULT, &h2), SEV_OK);
	assert_int_equal(activate(h2, 1), SEV_ERR_ASID_OWNED);
}

static void test_activate_twice(void **state)
{
	(void)state;
	platform_ready();
	u32 h = launched_to_lupdate(1);
	assert_int_equal(activate(h, 2), SEV_ERR_ACTIVE);
}

static void test_activate_unknown_handle(void **state)
{
	(void)state;
	platform_ready();
	u32 h;
	assert_int_equal(start(SEV_POLICY_DEFAULT, &h), SEV_OK);
	assert_int_equal(activate(h + 10, 1), SEV_ERR_INVALID_GUEST);
}

static void test_update_before_activate(void **state)
{
	(void)state;
	platform_ready();
	u32 h;
	assert_int_equal(start(SEV_POLICY_DEFAULT, &h), SEV_OK);
	assert_int_equal(update(SEV_CMD_LAUNCH_UPDATE_DATA, h, page_pa(), 4096), SEV_ERR_INACTIVE);
}

static void test_update_misaligned(void **state)
{
	(void)state;
	platform_ready();
	u32 h = launched_to_lupdate(1);
	assert_int_equal(update(SEV_CMD_LAUNCH_UPDATE_DATA, h, page_pa() + 8, 4096), SEV_ERR_INVALID_ADDRESS);
	assert_int_equal(update(SEV_CMD_LAUNCH_UPDATE_DATA, h, page_pa(), 100), SEV_ERR_INVALID_LEN);
	assert_int_equal(update(SEV_CMD_LAUNCH_UPDATE_DATA, h, page_pa(), 0), SEV_ERR_INVALID_LEN);
}

static void test_update_vmsa_wrong_length(void **state)
{
	(void)state;
	platform_ready();
	u32 h = launched_to_lupdate(1);
	assert_int_equal(update(SEV_CMD_LAUNCH_UPDATE_VMSA, h, page_pa(), 2048), SEV_ERR_INVALID_LEN);
}

static void test_update_vmsa_without_es_policy(void **state)
{
	(void)state;
	soft_psp_init(&sp, 4, 0);
	sp.psp.max_sev_asid = 8; /* SEV-only ASIDs 5..8 for this test */
	assert_int_equal(do_init(), SEV_OK);
	sp.psp.ops->wbinvd_all(&sp.psp);
	assert_int_equal(cmd(SEV_CMD_DF_FLUSH, NULL), SEV_OK);
	u32 h;
	assert_int_equal(start(SEV_POLICY_NODBG, &h), SEV_OK);
	assert_int_equal(activate(h, 1), SEV_ERR_INVALID_ASID); /* an SEV guest cannot take an ES ASID */
	assert_int_equal(activate(h, 5), SEV_OK);
	assert_int_equal(update(SEV_CMD_LAUNCH_UPDATE_VMSA, h, page_pa(), 4096), SEV_ERR_UNSUPPORTED);
}

static void test_update_after_measure(void **state)
{
	(void)state;
	platform_ready();
	u32 h = launched_to_lupdate(1);
	assert_int_equal(measure(h), SEV_OK);
	assert_int_equal(update(SEV_CMD_LAUNCH_UPDATE_DATA, h, page_pa(), 4096), SEV_ERR_INVALID_GUEST_STATE);
}

static void test_finish_before_measure(void **state)
{
	(void)state;
	platform_ready();
	u32 h = launched_to_lupdate(1);
	assert_int_equal(by_handle(SEV_CMD_LAUNCH_FINISH, h), SEV_ERR_INVALID_GUEST_STATE);
}

static void test_measure_twice(void **state)
{
	(void)state;
	platform_ready();
	u32 h = launched_to_lupdate(1);
	assert_int_equal(measure(h), SEV_OK);
	assert_int_equal(measure(h), SEV_ERR_INVALID_GUEST_STATE);
}

static void test_measure_short_buffer(void **state)
{
	(void)state;
	platform_ready();
	u32 h = launched_to_lupdate(1);
	struct sev_data_launch_measure d = { .handle = h, .address = (u64)(uintptr_t)&meas, .length = 16 };
	assert_int_equal(cmd(SEV_CMD_LAUNCH_MEASURE, &d), SEV_ERR_INVALID_LEN);
	assert_int_equal(d.length, 48); /* the length needed comes back */
}

static void test_decommission_active(void **state)
{
	(void)state;
	platform_ready();
	u32 h = launched_to_lupdate(1);
	assert_int_equal(by_handle(SEV_CMD_DECOMMISSION, h), SEV_ERR_ACTIVE);
}

static void test_deactivate_inactive(void **state)
{
	(void)state;
	platform_ready();
	u32 h;
	assert_int_equal(start(SEV_POLICY_DEFAULT, &h), SEV_OK);
	assert_int_equal(by_handle(SEV_CMD_DEACTIVATE, h), SEV_ERR_INACTIVE);
}

/* After a finished guest is deactivated its ASID is dirty, and DEACTIVATE clears the WBINVD
 * indicator: ACTIVATE needs DF_FLUSH, DF_FLUSH needs WBINVD first (F.6 11, 12). */
static void test_reuse_needs_wbinvd_and_df_flush(void **state)
{
	(void)state;
	platform_ready();
	u32 h = launched_to_lupdate(1);
	assert_int_equal(measure(h), SEV_OK);
	assert_int_equal(by_handle(SEV_CMD_LAUNCH_FINISH, h), SEV_OK);
	assert_int_equal(by_handle(SEV_CMD_DEACTIVATE, h), SEV_OK);
	assert_int_equal(by_handle(SEV_CMD_DECOMMISSION, h), SEV_OK);
	u32 h2;
	assert_int_equal(start(SEV_POLICY_DEFAULT, &h2), SEV_OK);
	assert_int_equal(activate(h2, 1), SEV_ERR_DFFLUSH_REQUIRED);
	assert_int_equal(activate(h2, 2), SEV_OK); /* a clean one is fine */
	assert_int_equal(cmd(SEV_CMD_DF_FLUSH, NULL), SEV_ERR_WBINVD_REQUIRED);
	sp.psp.ops->wbinvd_all(&sp.psp);
	assert_int_equal(cmd(SEV_CMD_DF_FLUSH, NULL), SEV_OK);
	u32 h3;
	assert_int_equal(start(SEV_POLICY_DEFAULT, &h3), SEV_OK);
	assert_int_equal(activate(h3, 1), SEV_OK);
}

/* A guest that never reached LAUNCH_FINISH never made its ASID valid: no flush needed (F.6 12). */
static void test_unfinished_guest_leaves_asid_clean(void **state)
{
	(void)state;
	platform_ready();
	u32 h = launched_to_lupdate(1);
	assert_int_equal(by_handle(SEV_CMD_DEACTIVATE, h), SEV_OK);
	assert_int_equal(by_handle(SEV_CMD_DECOMMISSION, h), SEV_OK);
	u32 h2;
	assert_int_equal(start(SEV_POLICY_DEFAULT, &h2), SEV_OK);
	assert_int_equal(activate(h2, 1), SEV_OK);
}

static void test_guest_commands_need_working_platform(void **state)
{
	(void)state;
	platform_ready(); /* INIT, no guest: not WORKING */
	assert_int_equal(activate(1, 1), SEV_ERR_INVALID_PLATFORM_STATE);
	assert_int_equal(by_handle(SEV_CMD_LAUNCH_FINISH, 1), SEV_ERR_INVALID_PLATFORM_STATE);
	assert_int_equal(update(SEV_CMD_LAUNCH_UPDATE_DATA, 1, page_pa(), 4096), SEV_ERR_INVALID_PLATFORM_STATE);
}

static void test_unknown_command(void **state)
{
	(void)state;
	platform_ready();
	assert_int_equal(cmd(0x7F, page), SEV_ERR_INVALID_COMMAND);
}

static void test_shutdown_returns_to_uninit(void **state)
{
	(void)state;
	platform_ready();
	launched_to_lupdate(1);
	assert_int_equal(cmd(SEV_CMD_SHUTDOWN, NULL), SEV_OK);
	struct sev_data_platform_status ps;
	assert_int_equal(cmd(SEV_CMD_PLATFORM_STATUS, &ps), SEV_OK);
	assert_int_equal(ps.state, SEV_PLATFORM_UNINIT);
	assert_int_equal(ps.guest_count, 0);
	assert_int_equal(do_init(), SEV_OK);
}

static void test_es_asids_carved(void **state)
{
	(void)state;
	assert_int_equal(soft_psp_es_asids_for(16), 4);
	assert_int_equal(soft_psp_es_asids_for(4), 2);
	assert_int_equal(soft_psp_es_asids_for(2), 0);
	soft_psp_init(&sp, 4, 0);
	assert_int_equal(sp.psp.min_sev_asid, 5);
	assert_int_equal(sp.psp.max_sev_asid, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buffer_offsets),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_full_sequence),
		cmocka_unit_test(test_measurement_formula),
		cmocka_unit_test(test_init_twice_invalid_platform_state),
		cmocka_unit_test(test_init_bad_tmr),
		cmocka_unit_test(test_df_flush_without_wbinvd),
		cmocka_unit_test(test_df_flush_uninit),
		cmocka_unit_test(test_launch_start_uninit),
		cmocka_unit_test(test_launch_start_es_on_non_es_platform),
		cmocka_unit_test(test_launch_start_out_of_handles),
		cmocka_unit_test(test_launch_start_share_noks_key),
		cmocka_unit_test(test_activate_dirty_asid),
		cmocka_unit_test(test_activate_asid_outside_es_range),
		cmocka_unit_test(test_activate_owned_asid),
		cmocka_unit_test(test_activate_twice),
		cmocka_unit_test(test_activate_unknown_handle),
		cmocka_unit_test(test_update_before_activate),
		cmocka_unit_test(test_update_misaligned),
		cmocka_unit_test(test_update_vmsa_wrong_length),
		cmocka_unit_test(test_update_vmsa_without_es_policy),
		cmocka_unit_test(test_update_after_measure),
		cmocka_unit_test(test_finish_before_measure),
		cmocka_unit_test(test_measure_twice),
		cmocka_unit_test(test_measure_short_buffer),
		cmocka_unit_test(test_decommission_active),
		cmocka_unit_test(test_deactivate_inactive),
		cmocka_unit_test(test_reuse_needs_wbinvd_and_df_flush),
		cmocka_unit_test(test_unfinished_guest_leaves_asid_clean),
		cmocka_unit_test(test_guest_commands_need_working_platform),
		cmocka_unit_test(test_unknown_command),
		cmocka_unit_test(test_shutdown_returns_to_uninit),
		cmocka_unit_test(test_es_asids_carved),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
