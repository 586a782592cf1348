/* SHA-256 against the FIPS 180-2 appendix B / NIST CAVS example vectors, and HMAC-SHA-256
 * against RFC 4231 section 4 test cases 1-7. */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "lib/sha256.h"
#include "lib/fmt.h"

static void check_hex(const u8 *d, size_t n, const char *want)
{
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	fmt_hex(d, n, hex);
	assert_string_equal(hex, want);
}

static void check_sha(const void *msg, size_t len, const char *want)
{
	u8 d[SHA256_DIGEST_SIZE];
	sha256(msg, len, d);
	check_hex(d, sizeof(d), want);
}

static void test_sha256_nist(void **state)
{
	(void)state;
	check_sha("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_sha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	check_sha(m448, strlen(m448), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* One million 'a' fed in odd-sized pieces: exercises the partial-block path. */
static void test_sha256_million_a_streamed(void **state)
{
	(void)state;
	static u8 buf[1000];
	memset(buf, 'a', sizeof(buf));
	struct sha256_ctx c;
	sha256_init(&c);
	size_t left = 1000000, step = 1;
	while (left) {
		size_t n = step < left ? step : left;
		if (n > sizeof(buf))
			n = sizeof(buf);
		sha256_update(&c, buf, n);
		left -= n;
		step = step * 7 % 997 + 1;
	}
	u8 d[SHA256_DIGEST_SIZE];
	sha256_final(&c, d);
	check_hex(d, sizeof(d), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Message lengths 55, 56, 63, 64 bytes sit on the padding boundaries (FIPS 180-4 5.1.1);
 * streamed byte by byte they must give the one-shot result. */
static void test_sha256_padding_boundaries(void **state)
{
	(void)state;
	u8 msg[130];
	for (unsigned i = 0; i < sizeof(msg); i++)
		msg[i] = (u8)(i * 37 + 1);
	const size_t lens[] = { 55, 56, 57, 63, 64, 65, 119, 120, 128 };
	for (unsigned k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		u8 a[32], b[32];
		sha256(msg, lens[k], a);
		struct sha256_ctx c;
		sha256_init(&c);
		for (size_t i = 0; i < lens[k]; i++)
			sha256_update(&c, msg + i, 1);
		sha256_final(&c, b);
		assert_memory_equal(a, b, 32);
	}
}

static void check_hmac(const u8 *key, size_t klen, const void *data, size_t dlen, const char *want, size_t want_bytes)
{
	struct hmac_sha256_ctx c;
	u8 d[SHA256_DIGEST_SIZE];
	hmac_sha256_init(&c, key, klen);
	hmac_sha256_update(&c, data, dlen);
	hmac_sha256_final(&c, d);
	check_hex(d, want_bytes, want);
}

static void test_hmac_rfc4231(void **state)
{
	(void)state;
	u8 key[131], data[50];
	/* Test case 1. */
	memset(key, 0x0b, 20);
	check_hmac(key, 20, "Hi There", 8, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", 32);
	/* Test case 2. */
	check_hmac((const u8 *)"Jefe", 4, "what do ya want for nothing?", 28,
		   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 32);
	/* Test case 3. */
	memset(key, 0xaa, 20);
	memset(data, 0xdd, 50);
	check_hmac(key, 20, data, 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", 32);
	/* Test case 4. */
	for (unsigned i = 0; i < 25; i++)
		key[i] = (u8)(i + 1);
	memset(data, 0xcd, 50);
	check_hmac(key, 25, data, 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b", 32);
	/* Test case 5: output truncated to 128 bits. */
	memset(key, 0x0c, 20);
	check_hmac(key, 20, "Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b", 16);
	/* Test cases 6 and 7: a 131-byte key, hashed first. */
	memset(key, 0xaa, 131);
	const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
	check_hmac(key, 131, m6, strlen(m6), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", 32);
	const char *m7 = "This is a test using a larger than block-size key and a larger than block-size data. "
			 "The key needs to be hashed before being used by the HMAC algorithm.";
	check_hmac(key, 131, m7, strlen(m7), "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_nist),
		cmocka_unit_test(test_sha256_million_a_streamed),
		cmocka_unit_test(test_sha256_padding_boundaries),
		cmocka_unit_test(test_hmac_rfc4231),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
