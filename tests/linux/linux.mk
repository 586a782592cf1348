# The Linux guest: Debian's stock kernel (fetched, never installed: tools/fetch_linux.sh) and an
# initramfs holding the project's own static /init (tests/linux/init.c).
#
# Included by the top-level Makefile, which defines BUILD. Defines LINUX_FILES.

LINUX_OUT := $(BUILD)/linux
LINUX_FILES := $(LINUX_OUT)/vmlinuz $(LINUX_OUT)/initramfs.cpio

$(LINUX_OUT)/vmlinuz:
	tools/fetch_linux.sh $(LINUX_OUT)

$(LINUX_OUT)/init: tests/linux/init.c
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

# newc format, as the kernel's initramfs unpacker reads it; /dev, /proc, /sys are mount points.
$(LINUX_OUT)/initramfs.cpio: $(LINUX_OUT)/init
	rm -rf $(LINUX_OUT)/root && mkdir -p $(LINUX_OUT)/root/dev $(LINUX_OUT)/root/proc $(LINUX_OUT)/root/sys
	cp $< $(LINUX_OUT)/root/init
	cd $(LINUX_OUT)/root && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 > ../initramfs.cpio

linux: $(LINUX_FILES)
.PHONY: linux
