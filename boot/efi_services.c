/* The UEFI side: console, files, stall and ExitBootServices. Only gnu-efi's headers and its
 * start-up/self-relocation code (crt0, libgnuefi) are used, not its libefi: the few boot services
 * sevisor calls are called directly here (UEFI 2.10, 7 "Services - Boot Services", 13.4-13.5
 * "Simple File System"/"File Protocol"), which keeps libefi's printf, device-path and GUID
 * tables (about 30 KB, with their relocations) out of the image. */
#include <efi.h>
#include "boot/efi.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

static EFI_HANDLE g_efi_image;
static EFI_SYSTEM_TABLE *g_st;
static EFI_BOOT_SERVICES *g_bs;

static EFI_GUID g_loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static EFI_GUID g_file_system_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
static EFI_GUID g_file_info_guid = EFI_FILE_INFO_ID;

void efi_services_init(void *image, void *systab)
{
	g_efi_image = image;
	g_st = systab;
	g_bs = g_st->BootServices;
}

static void *pool_alloc(UINTN size)
{
	void *p = NULL;
	EFI_STATUS st = uefi_call_wrapper(g_bs->AllocatePool, 3, EfiLoaderData, size, &p);
	return EFI_ERROR(st) ? NULL : p;
}

static void pool_free(void *p)
{
	uefi_call_wrapper(g_bs->FreePool, 1, p);
}

void efi_conout_sink(const char *text, size_t len, void *ctx)
{
	(void)ctx;
	CHAR16 buf[130];
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			buf[n++] = L'\r';
		buf[n++] = (CHAR16)(u8)text[i];
		if (n >= 126 || i + 1 == len) {
			buf[n] = 0;
			uefi_call_wrapper(g_st->ConOut->OutputString, 2, g_st->ConOut, buf);
			n = 0;
		}
	}
}

void efi_stall(u64 us)
{
	uefi_call_wrapper(g_bs->Stall, 1, us);
}

/* The names of the EFI_STATUS error codes (UEFI 2.10, appendix D), by their low bits; a fixed-width
 * table, so it needs no relocations. */
static const char g_status_names[][24] = {
	[1] = "Load Error", [2] = "Invalid Parameter", [3] = "Unsupported", [4] = "Bad Buffer Size",
	[5] = "Buffer Too Small", [6] = "Not Ready", [7] = "Device Error", [8] = "Write Protected",
	[9] = "Out of Resources", [10] = "Volume Corrupt", [11] = "Volume Full", [12] = "No Media",
	[13] = "Media changed", [14] = "Not Found", [15] = "Access Denied", [16] = "No Response",
	[17] = "No mapping", [18] = "Time out", [19] = "Not started", [20] = "Already started",
	[21] = "Aborted", [22] = "ICMP Error", [23] = "TFTP Error", [24] = "Protocol Error",
	[25] = "Incompatible Version", [26] = "Security Violation", [27] = "CRC Error",
	[28] = "End of Media", [31] = "End of File", [32] = "Invalid Language", [33] = "Compromised Data",
};

static void status_text(EFI_STATUS st, char *out, size_t size)
{
	u64 code = st & ~EFI_ERROR_MASK;
	if (!EFI_ERROR(st))
		fmt_snprintf(out, size, "Success");
	else if (code < ARRAY_SIZE(g_status_names) && g_status_names[code][0])
		fmt_snprintf(out, size, "%s", g_status_names[code]);
	else
		fmt_snprintf(out, size, "EFI status 0x%llx", (unsigned long long)st);
}

/* The root directory of the volume sevisor was loaded from. */
static EFI_FILE_HANDLE open_root(EFI_HANDLE device)
{
	EFI_FILE_IO_INTERFACE *fs = NULL;
	EFI_FILE_HANDLE root = NULL;
	EFI_STATUS st = uefi_call_wrapper(g_bs->HandleProtocol, 3, device, &g_file_system_guid, (void **)&fs);
	if (EFI_ERROR(st) || !fs)
		return NULL;
	st = uefi_call_wrapper(fs->OpenVolume, 2, fs, &root);
	return EFI_ERROR(st) ? NULL : root;
}

/* EFI_FILE_INFO of an open file, in pool memory: GetInfo first tells the size it needs. */
static EFI_FILE_INFO *file_info(EFI_FILE_HANDLE fh)
{
	UINTN size = 0;
	EFI_STATUS st = uefi_call_wrapper(fh->GetInfo, 4, fh, &g_file_info_guid, &size, NULL);
	if (st != EFI_BUFFER_TOO_SMALL)
		return NULL;
	EFI_FILE_INFO *info = pool_alloc(size);
	if (!info)
		return NULL;
	st = uefi_call_wrapper(fh->GetInfo, 4, fh, &g_file_info_guid, &size, info);
	if (EFI_ERROR(st)) {
		pool_free(info);
		return NULL;
	}
	return info;
}

bool efi_read_file(const char *path, u8 **data, u64 *size, char *err, size_t errlen)
{
	EFI_LOADED_IMAGE *li = NULL;
	EFI_STATUS st = uefi_call_wrapper(g_bs->HandleProtocol, 3, g_efi_image, &g_loaded_image_guid, (void **)&li);
	char why[64];
	if (EFI_ERROR(st)) {
		status_text(st, why, sizeof(why));
		fmt_snprintf(err, errlen, "no loaded-image protocol (%s)", why);
		return false;
	}
	EFI_FILE_HANDLE root = open_root(li->DeviceHandle);
	if (!root) {
		fmt_snprintf(err, errlen, "cannot open the boot volume");
		return false;
	}
	CHAR16 wpath[128];
	size_t n = strlen(path);
	if (n >= ARRAY_SIZE(wpath)) {
		fmt_snprintf(err, errlen, "path is too long");
		return false;
	}
	for (size_t i = 0; i <= n; i++)
		wpath[i] = path[i] == '/' ? L'\\' : (CHAR16)(u8)path[i];
	EFI_FILE_HANDLE fh;
	st = uefi_call_wrapper(root->Open, 5, root, &fh, wpath, EFI_FILE_MODE_READ, 0ULL);
	if (EFI_ERROR(st)) {
		status_text(st, why, sizeof(why));
		fmt_snprintf(err, errlen, "cannot open file (%s)", why);
		uefi_call_wrapper(root->Close, 1, root);
		return false;
	}
	EFI_FILE_INFO *info = file_info(fh);
	bool ok = false;
	if (!info) {
		fmt_snprintf(err, errlen, "cannot read file information");
	} else if (info->Attribute & EFI_FILE_DIRECTORY) {
		fmt_snprintf(err, errlen, "is a directory");
	} else {
		UINTN len = info->FileSize;
		u8 *buf = pool_alloc(len + 1);
		if (!buf) {
			fmt_snprintf(err, errlen, "out of memory for %llu bytes", (unsigned long long)len);
		} else {
			st = uefi_call_wrapper(fh->Read, 3, fh, &len, buf);
			if (EFI_ERROR(st) || len != info->FileSize) {
				status_text(st, why, sizeof(why));
				fmt_snprintf(err, errlen, "read failed (%s)", why);
				pool_free(buf);
			} else {
				buf[len] = 0;
				*data = buf;
				*size = len;
				ok = true;
			}
		}
	}
	if (info)
		pool_free(info);
	uefi_call_wrapper(fh->Close, 1, fh);
	uefi_call_wrapper(root->Close, 1, root);
	return ok;
}

bool efi_exit_boot_services(void **map_out, u64 *map_size_out, u64 *desc_size_out, char *err, size_t errlen)
{
	/* The map changes whenever memory is allocated, so size the buffer generously once and
	 * retry GetMemoryMap + ExitBootServices without allocating in between (UEFI 2.10, 7.4). */
	UINTN size = 0, key, desc_size;
	UINT32 desc_ver;
	uefi_call_wrapper(g_bs->GetMemoryMap, 5, &size, NULL, &key, &desc_size, &desc_ver);
	UINTN cap = size + 16 * 1024;
	void *map = pool_alloc(cap);
	if (!map) {
		fmt_snprintf(err, errlen, "no memory for the memory map");
		return false;
	}
	EFI_STATUS st = EFI_SUCCESS;
	for (int tries = 0; tries < 4; tries++) {
		size = cap;
		st = uefi_call_wrapper(g_bs->GetMemoryMap, 5, &size, map, &key, &desc_size, &desc_ver);
		if (EFI_ERROR(st))
			break;
		st = uefi_call_wrapper(g_bs->ExitBootServices, 2, g_efi_image, key);
		if (!EFI_ERROR(st)) {
			*map_out = map;
			*map_size_out = size;
			*desc_size_out = desc_size;
			return true;
		}
	}
	char why[64];
	status_text(st, why, sizeof(why));
	fmt_snprintf(err, errlen, "ExitBootServices failed (%s)", why);
	return false;
}
