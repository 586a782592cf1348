/* The GHCB valid bitmap (facts B.1/B.2): 16 bytes at 0x3F0, one bit per qword of the save
 * area, little-endian. Loaded into two u64 words so that a request's required-field mask can be
 * checked with one AND per word; stored back the same way for the reply. */
#include "ghcb/ghcb.h"
#include "lib/kstring.h"

/* x86 is little-endian: byte i of each 8-byte half is bits 8i..8i+7 of its word, so each
 * half is one load or store. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the GHCB valid bitmap is loaded as little-endian words"
#endif

void ghcb_bits_load(struct ghcb_bits *out, const u8 bitmap[16])
{
	memcpy(out->w, bitmap, 16);
}

void ghcb_bits_store(u8 bitmap[16], const struct ghcb_bits *in)
{
	memcpy(bitmap, in->w, 16);
}
