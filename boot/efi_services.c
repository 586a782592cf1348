/* The UEFI side: console, files, stall and ExitBootServices (gnu-efi). */
#include <efi.h>
#include <efilib.h>
#include "boot/efi.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

EFI_HANDLE g_efi_image;

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
			uefi_call_wrapper(ST->ConOut->OutputString, 2, ST->ConOut, buf);
			n = 0;
		}
	}
}

void efi_stall(u64 us)
{
	uefi_call_wrapper(BS->Stall, 1, us);
}

static void status_text(EFI_STATUS st, char *out, size_t size)
{
	CHAR16 w[64];
	StatusToString(w, st);
	size_t i = 0;
	for (; i + 1 < size && w[i]; i++)
		out[i] = (char)w[i];
	out[i] = '\0';
}

bool efi_read_file(const char *path, u8 **data, u64 *size, char *err, size_t errlen)
{
	EFI_LOADED_IMAGE *li = NULL;
	EFI_STATUS st = uefi_call_wrapper(BS->HandleProtocol, 3, g_efi_image, &LoadedImageProtocol, (void **)&li);
	char why[64];
	if (EFI_ERROR(st)) {
		status_text(st, why, sizeof(why));
		fmt_snprintf(err, errlen, "no loaded-image protocol (%s)", why);
		return false;
	}
	EFI_FILE_HANDLE root = LibOpenRoot(li->DeviceHandle);
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
	EFI_FILE_INFO *info = LibFileInfo(fh);
	bool ok = false;
	if (!info) {
		fmt_snprintf(err, errlen, "cannot read file information");
	} else if (info->Attribute & EFI_FILE_DIRECTORY) {
		fmt_snprintf(err, errlen, "is a directory");
	} else {
		UINTN len = info->FileSize;
		u8 *buf = AllocatePool(len + 1);
		if (!buf) {
			fmt_snprintf(err, errlen, "out of memory for %llu bytes", (unsigned long long)len);
		} else {
			st = uefi_call_wrapper(fh->Read, 3, fh, &len, buf);
			if (EFI_ERROR(st) || len != info->FileSize) {
				status_text(st, why, sizeof(why));
				fmt_snprintf(err, errlen, "read failed (%s)", why);
				FreePool(buf);
			} else {
				buf[len] = 0;
				*data = buf;
				*size = len;
				ok = true;
			}
		}
	}
	if (info)
		FreePool(info);
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
	uefi_call_wrapper(BS->GetMemoryMap, 5, &size, NULL, &key, &desc_size, &desc_ver);
	UINTN cap = size + 16 * 1024;
	void *map = AllocatePool(cap);
	if (!map) {
		fmt_snprintf(err, errlen, "no memory for the memory map");
		return false;
	}
	EFI_STATUS st = EFI_SUCCESS;
	for (int tries = 0; tries < 4; tries++) {
		size = cap;
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, map, &key, &desc_size, &desc_ver);
		if (EFI_ERROR(st))
			break;
		st = uefi_call_wrapper(BS->ExitBootServices, 2, g_efi_image, key);
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
