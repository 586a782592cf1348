/* Names of SEV firmware commands, statuses and states (ghcb-sev-facts.md F.3, F.5, F.7), for
 * logs and termination reasons. */
#include "sev/psp_cmd.h"

struct sev_name {
	u32 code;
	const char *name;
};

static const char *lookup(const struct sev_name *t, unsigned n, u32 code, const char *unknown)
{
	for (unsigned i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return unknown;
}

static const struct sev_name cmd_names[] = {
	{ SEV_CMD_INIT, "INIT" },
	{ SEV_CMD_SHUTDOWN, "SHUTDOWN" },
	{ SEV_CMD_PLATFORM_STATUS, "PLATFORM_STATUS" },
	{ SEV_CMD_DF_FLUSH, "DF_FLUSH" },
	{ SEV_CMD_DECOMMISSION, "DECOMMISSION" },
	{ SEV_CMD_ACTIVATE, "ACTIVATE" },
	{ SEV_CMD_DEACTIVATE, "DEACTIVATE" },
	{ SEV_CMD_GUEST_STATUS, "GUEST_STATUS" },
	{ SEV_CMD_LAUNCH_START, "LAUNCH_START" },
	{ SEV_CMD_LAUNCH_UPDATE_DATA, "LAUNCH_UPDATE_DATA" },
	{ SEV_CMD_LAUNCH_UPDATE_VMSA, "LAUNCH_UPDATE_VMSA" },
	{ SEV_CMD_LAUNCH_MEASURE, "LAUNCH_MEASURE" },
	{ SEV_CMD_LAUNCH_FINISH, "LAUNCH_FINISH" },
};

const char *sev_cmd_name(u32 cmd)
{
	return lookup(cmd_names, ARRAY_SIZE(cmd_names), cmd, "UNKNOWN_COMMAND");
}

static const struct sev_name status_names[] = {
	{ SEV_OK, "SUCCESS" },
	{ SEV_ERR_INVALID_PLATFORM_STATE, "INVALID_PLATFORM_STATE" },
	{ SEV_ERR_INVALID_GUEST_STATE, "INVALID_GUEST_STATE" },
	{ SEV_ERR_INVALID_CONFIG, "INVALID_CONFIG" },
	{ SEV_ERR_INVALID_LEN, "INVALID_LEN" },
	{ SEV_ERR_ALREADY_OWNED, "ALREADY_OWNED" },
	{ SEV_ERR_INVALID_CERTIFICATE, "INVALID_CERTIFICATE" },
	{ SEV_ERR_POLICY_FAILURE, "POLICY_FAILURE" },
	{ SEV_ERR_INACTIVE, "INACTIVE" },
	{ SEV_ERR_INVALID_ADDRESS, "INVALID_ADDRESS" },
	{ SEV_ERR_BAD_SIGNATURE, "BAD_SIGNATURE" },
	{ SEV_ERR_BAD_MEASUREMENT, "BAD_MEASUREMENT" },
	{ SEV_ERR_ASID_OWNED, "ASID_OWNED" },
	{ SEV_ERR_INVALID_ASID, "INVALID_ASID" },
	{ SEV_ERR_WBINVD_REQUIRED, "WBINVD_REQUIRED" },
	{ SEV_ERR_DFFLUSH_REQUIRED, "DFFLUSH_REQUIRED" },
	{ SEV_ERR_INVALID_GUEST, "INVALID_GUEST" },
	{ SEV_ERR_INVALID_COMMAND, "INVALID_COMMAND" },
	{ SEV_ERR_ACTIVE, "ACTIVE" },
	{ SEV_ERR_HWERROR_PLATFORM, "HWERROR_PLATFORM" },
	{ SEV_ERR_HWERROR_UNSAFE, "HWERROR_UNSAFE" },
	{ SEV_ERR_UNSUPPORTED, "UNSUPPORTED" },
	{ SEV_ERR_INVALID_PARAM, "INVALID_PARAM" },
	{ SEV_ERR_RESOURCE_LIMIT, "RESOURCE_LIMIT" },
	{ SEV_ERR_SECURE_DATA_INVALID, "SECURE_DATA_INVALID" },
	{ SEV_ERR_TIMEOUT, "TIMEOUT (no answer from the PSP)" },
	{ SEV_ERR_NO_PSP, "NO_PSP" },
	{ SEV_ERR_BAD_BUFFER, "BAD_BUFFER" },
};

const char *sev_status_name(u32 status)
{
	return lookup(status_names, ARRAY_SIZE(status_names), status, "UNKNOWN");
}

static const struct sev_name platform_state_names[] = {
	{ SEV_PLATFORM_UNINIT, "UNINIT" },
	{ SEV_PLATFORM_INIT, "INIT" },
	{ SEV_PLATFORM_WORKING, "WORKING" },
};

const char *sev_platform_state_name(u32 state)
{
	return lookup(platform_state_names, ARRAY_SIZE(platform_state_names), state, "UNKNOWN");
}

static const struct sev_name guest_state_names[] = {
	{ SEV_GUEST_UNINIT, "UNINIT" },
	{ SEV_GUEST_LUPDATE, "LUPDATE" },
	{ SEV_GUEST_LSECRET, "LSECRET" },
	{ SEV_GUEST_RUNNING, "RUNNING" },
};

const char *sev_guest_state_name(u32 state)
{
	return lookup(guest_state_names, ARRAY_SIZE(guest_state_names), state, "UNKNOWN");
}
