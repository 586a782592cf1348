/* The GHCB valid bitmap (facts B.1/B.2): 16 bytes at 0x3F0, one bit per qword of the save
 * area, little-endian. Loaded into two u64 words so that a request's required-field mask can be
 * checked with one AND per word; stored back the same way for the reply. */
#include "ghcb/ghcb.h"

void ghcb_bits_load(struct ghcb_bits *out, const u8 bitmap[16])
{
	for (unsigned w = 0; w < 2; w++) {
		u64 x = 0;
		for (unsigned i = 0; i < 8; i++)
			x |= (u64)bitmap[w * 8 + i] << (8 * i);
		out->w[w] = x;
	}
}

void ghcb_bits_store(u8 bitmap[16], const struct ghcb_bits *in)
{
	for (unsigned w = 0; w < 2; w++)
		for (unsigned i = 0; i < 8; i++)
			bitmap[w * 8 + i] = (u8)(in->w[w] >> (8 * i));
}
