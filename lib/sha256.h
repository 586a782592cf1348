/* SHA-256 (FIPS 180-4, section 6.2) and HMAC-SHA-256 (RFC 2104 with SHA-256, as RFC 4231 tests
 * it). Used for the SEV launch digest and measurement (SEV API, LAUNCH_MEASURE), by the soft
 * PSP and by the launch report. Streaming interface: init, update any number of times, final. */
#ifndef LIB_SHA256_H
#define LIB_SHA256_H

#include "lib/types.h"

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE 64

struct sha256_ctx {
	u32 h[8];
	u64 bytes; /* message length so far */
	u8 block[SHA256_BLOCK_SIZE];
	unsigned fill; /* bytes waiting in block */
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final(struct sha256_ctx *c, u8 out[SHA256_DIGEST_SIZE]);
void sha256(const void *data, size_t len, u8 out[SHA256_DIGEST_SIZE]);

struct hmac_sha256_ctx {
	struct sha256_ctx inner, outer;
};

/* Keys longer than the block size are hashed first (RFC 2104 section 2). */
void hmac_sha256_init(struct hmac_sha256_ctx *c, const void *key, size_t key_len);
void hmac_sha256_update(struct hmac_sha256_ctx *c, const void *data, size_t len);
void hmac_sha256_final(struct hmac_sha256_ctx *c, u8 out[SHA256_DIGEST_SIZE]);

#endif
