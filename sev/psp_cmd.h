/* SEV firmware (PSP) commands for SEV-ES launch: command IDs, command-buffer layouts and status
 * codes (SEV API #55766, chapters 4-6; ghcb-sev-facts.md F.3, F.4, F.7). Every buffer is a
 * packed little-endian struct with its offsets asserted. System physical addresses in buffers
 * are host PAs; guest memory addresses carry the C-bit (F.2 step 1). */
#ifndef SEV_PSP_CMD_H
#define SEV_PSP_CMD_H

#include "lib/types.h"

/* Command IDs (F.3). */
enum sev_cmd_id {
	SEV_CMD_INIT = 0x01,
	SEV_CMD_SHUTDOWN = 0x02,
	SEV_CMD_PLATFORM_STATUS = 0x04,
	SEV_CMD_DF_FLUSH = 0x0A,
	SEV_CMD_DECOMMISSION = 0x20,
	SEV_CMD_ACTIVATE = 0x21,
	SEV_CMD_DEACTIVATE = 0x22,
	SEV_CMD_GUEST_STATUS = 0x23,
	SEV_CMD_LAUNCH_START = 0x30,
	SEV_CMD_LAUNCH_UPDATE_DATA = 0x31,
	SEV_CMD_LAUNCH_UPDATE_VMSA = 0x32,
	SEV_CMD_LAUNCH_MEASURE = 0x33,
	SEV_CMD_LAUNCH_FINISH = 0x35,
};
const char *sev_cmd_name(u32 cmd);

/* Status codes (cmdresp[15:0], F.7), plus sevisor's own codes above 16 bits for failures that
 * never reached or never came back from the firmware. */
enum sev_status {
	SEV_OK = 0x00,
	SEV_ERR_INVALID_PLATFORM_STATE = 0x01,
	SEV_ERR_INVALID_GUEST_STATE = 0x02,
	SEV_ERR_INVALID_CONFIG = 0x03,
	SEV_ERR_INVALID_LEN = 0x04,
	SEV_ERR_ALREADY_OWNED = 0x05,
	SEV_ERR_INVALID_CERTIFICATE = 0x06,
	SEV_ERR_POLICY_FAILURE = 0x07,
	SEV_ERR_INACTIVE = 0x08,
	SEV_ERR_INVALID_ADDRESS = 0x09,
	SEV_ERR_BAD_SIGNATURE = 0x0A,
	SEV_ERR_BAD_MEASUREMENT = 0x0B,
	SEV_ERR_ASID_OWNED = 0x0C,
	SEV_ERR_INVALID_ASID = 0x0D,
	SEV_ERR_WBINVD_REQUIRED = 0x0E,
	SEV_ERR_DFFLUSH_REQUIRED = 0x0F,
	SEV_ERR_INVALID_GUEST = 0x10,
	SEV_ERR_INVALID_COMMAND = 0x11,
	SEV_ERR_ACTIVE = 0x12,
	SEV_ERR_HWERROR_PLATFORM = 0x13,
	SEV_ERR_HWERROR_UNSAFE = 0x14,
	SEV_ERR_UNSUPPORTED = 0x15,
	SEV_ERR_INVALID_PARAM = 0x16,
	SEV_ERR_RESOURCE_LIMIT = 0x17,
	SEV_ERR_SECURE_DATA_INVALID = 0x18,
	/* sevisor's own: */
	SEV_ERR_TIMEOUT = 0x10000,    /* the firmware never set cmdresp.RESP (G30) */
	SEV_ERR_NO_PSP = 0x10001,     /* no transport (or it was declared dead after a timeout) */
	SEV_ERR_BAD_BUFFER = 0x10002, /* the command buffer is not where the PSP can read it */
};
/* The status by name; "UNKNOWN" for a code not in the table (the caller prints the number). */
const char *sev_status_name(u32 status);

/* INIT (0x01): F.4. */
#define SEV_INIT_FLAGS_SEV_ES BIT(0)
#define SEV_TMR_SIZE MiB(1) /* SEV-ES TMR: exactly 1 MiB, 1 MiB-aligned (F.4 "TMR rules") */
struct sev_data_init {
	u32 flags;
	u32 reserved;
	u64 tmr_address;
	u32 tmr_length;
} PACKED;
ASSERT_OFFSET(struct sev_data_init, flags, 0x00);
ASSERT_OFFSET(struct sev_data_init, reserved, 0x04);
ASSERT_OFFSET(struct sev_data_init, tmr_address, 0x08);
ASSERT_OFFSET(struct sev_data_init, tmr_length, 0x10);
ASSERT_SIZE(struct sev_data_init, 0x14);

/* PLATFORM_STATUS (0x04), output: F.4. */
enum sev_platform_state {
	SEV_PLATFORM_UNINIT = 0,
	SEV_PLATFORM_INIT = 1,
	SEV_PLATFORM_WORKING = 2,
};
const char *sev_platform_state_name(u32 state);
#define SEV_PLATFORM_FLAG_OWNER BIT(0)     /* platform_flags bit 0: externally owned */
#define SEV_PLATFORM_CONFIG_ES BIT(0)      /* config_flags bit 0: initialised with SEV-ES */
struct sev_data_platform_status {
	u8 api_major;
	u8 api_minor;
	u8 state;
	u8 platform_flags;
	u16 config_flags;
	u8 reserved;
	u8 build;
	u32 guest_count;
} PACKED;
ASSERT_OFFSET(struct sev_data_platform_status, api_major, 0x00);
ASSERT_OFFSET(struct sev_data_platform_status, api_minor, 0x01);
ASSERT_OFFSET(struct sev_data_platform_status, state, 0x02);
ASSERT_OFFSET(struct sev_data_platform_status, platform_flags, 0x03);
ASSERT_OFFSET(struct sev_data_platform_status, config_flags, 0x04);
ASSERT_OFFSET(struct sev_data_platform_status, reserved, 0x06);
ASSERT_OFFSET(struct sev_data_platform_status, build, 0x07);
ASSERT_OFFSET(struct sev_data_platform_status, guest_count, 0x08);
ASSERT_SIZE(struct sev_data_platform_status, 0x0C);

/* ACTIVATE (0x21). */
struct sev_data_activate {
	u32 handle;
	u32 asid;
} PACKED;
ASSERT_OFFSET(struct sev_data_activate, handle, 0x00);
ASSERT_OFFSET(struct sev_data_activate, asid, 0x04);
ASSERT_SIZE(struct sev_data_activate, 0x08);

/* DEACTIVATE (0x22), DECOMMISSION (0x20), LAUNCH_FINISH (0x35): the handle only. */
struct sev_data_handle {
	u32 handle;
} PACKED;
ASSERT_OFFSET(struct sev_data_handle, handle, 0x00);
ASSERT_SIZE(struct sev_data_handle, 0x04);

/* GUEST_STATUS (0x23). */
enum sev_guest_state {
	SEV_GUEST_UNINIT = 0,
	SEV_GUEST_LUPDATE = 1,
	SEV_GUEST_LSECRET = 2,
	SEV_GUEST_RUNNING = 3,
};
const char *sev_guest_state_name(u32 state);
struct sev_data_guest_status {
	u32 handle;
	u32 policy;
	u32 asid;
	u8 state;
	u8 reserved[3];
} PACKED;
ASSERT_OFFSET(struct sev_data_guest_status, handle, 0x00);
ASSERT_OFFSET(struct sev_data_guest_status, policy, 0x04);
ASSERT_OFFSET(struct sev_data_guest_status, asid, 0x08);
ASSERT_OFFSET(struct sev_data_guest_status, state, 0x0C);
ASSERT_SIZE(struct sev_data_guest_status, 0x10);

/* LAUNCH_START (0x30). */
struct sev_data_launch_start {
	u32 handle; /* in: 0 = new key; out: the guest's handle */
	u32 policy;
	u64 dh_cert_address; /* 0: no guest-owner session */
	u32 dh_cert_len;
	u32 reserved;
	u64 session_address;
	u32 session_len;
} PACKED;
ASSERT_OFFSET(struct sev_data_launch_start, handle, 0x00);
ASSERT_OFFSET(struct sev_data_launch_start, policy, 0x04);
ASSERT_OFFSET(struct sev_data_launch_start, dh_cert_address, 0x08);
ASSERT_OFFSET(struct sev_data_launch_start, dh_cert_len, 0x10);
ASSERT_OFFSET(struct sev_data_launch_start, reserved, 0x14);
ASSERT_OFFSET(struct sev_data_launch_start, session_address, 0x18);
ASSERT_OFFSET(struct sev_data_launch_start, session_len, 0x20);
ASSERT_SIZE(struct sev_data_launch_start, 0x24);

/* LAUNCH_UPDATE_DATA (0x31) and LAUNCH_UPDATE_VMSA (0x32). */
#define SEV_LAUNCH_UPDATE_ALIGN 16 /* address and length 16-byte aligned (F.6 step 5) */
#define SEV_VMSA_SIZE 4096         /* LAUNCH_UPDATE_VMSA length must be exactly this (C.4) */
struct sev_data_launch_update {
	u32 handle;
	u32 reserved;
	u64 address; /* system PA with the C-bit set */
	u32 length;
} PACKED;
ASSERT_OFFSET(struct sev_data_launch_update, handle, 0x00);
ASSERT_OFFSET(struct sev_data_launch_update, reserved, 0x04);
ASSERT_OFFSET(struct sev_data_launch_update, address, 0x08);
ASSERT_OFFSET(struct sev_data_launch_update, length, 0x10);
ASSERT_SIZE(struct sev_data_launch_update, 0x14);

/* LAUNCH_MEASURE (0x33): the output is the 32-byte measurement then the 16-byte mnonce. */
#define SEV_MNONCE_SIZE 16
struct sev_measurement {
	u8 measurement[32];
	u8 mnonce[SEV_MNONCE_SIZE];
} PACKED;
ASSERT_OFFSET(struct sev_measurement, measurement, 0x00);
ASSERT_OFFSET(struct sev_measurement, mnonce, 0x20);
ASSERT_SIZE(struct sev_measurement, 0x30);
struct sev_data_launch_measure {
	u32 handle;
	u32 reserved;
	u64 address; /* of a struct sev_measurement */
	u32 length;  /* in/out: too small -> INVALID_LEN and the length needed */
} PACKED;
ASSERT_OFFSET(struct sev_data_launch_measure, handle, 0x00);
ASSERT_OFFSET(struct sev_data_launch_measure, reserved, 0x04);
ASSERT_OFFSET(struct sev_data_launch_measure, address, 0x08);
ASSERT_OFFSET(struct sev_data_launch_measure, length, 0x10);
ASSERT_SIZE(struct sev_data_launch_measure, 0x14);

/* Guest policy (LAUNCH_START, C.5 last paragraph). */
#define SEV_POLICY_NODBG BIT(0)
#define SEV_POLICY_NOKS BIT(1)
#define SEV_POLICY_ES BIT(2)
#define SEV_POLICY_NOSEND BIT(3)
#define SEV_POLICY_DOMAIN BIT(4)
#define SEV_POLICY_SEV BIT(5)
#define SEV_POLICY_RESERVED GENMASK(15, 6)
#define SEV_POLICY_API_MAJOR_SHIFT 16
#define SEV_POLICY_API_MINOR_SHIFT 24
/* sevisor's default: ES + NODBG + NOKS (issue 11). */
#define SEV_POLICY_DEFAULT (SEV_POLICY_ES | SEV_POLICY_NODBG | SEV_POLICY_NOKS)

/* The measurement context byte (SEV API LAUNCH_MEASURE: 0x04 = "measure"). */
#define SEV_MEASURE_CONTEXT 0x04

#endif
