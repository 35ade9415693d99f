#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/md5.h>
#include <openssl/aes.h>
#include <openssl/crypto.h>
#include <string.h>
#include <sys/random.h> /* getrandom: the LAN IVs (DeviceCipher.randomIV) */

/* The LAN's own primitives (MD5 of the devicekey, AES-128-CBC of a payload of a few hundred
   bytes) through OpenSSL's low-level functions. Measured (issue 23, callgrind): in a one-shot
   process the first EVP_md5 digest, the first EVP cipher and the first RAND_bytes each build
   OpenSSL 3's provider method tables, about 11 M instructions together, more than the rest of an
   `ewelink on`. These functions are deprecated in OpenSSL 3 in favour of EVP, but present in every
   build that keeps the deprecated API (Debian's does); SHA-256 and HMAC stay on EVP. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static inline void ewelink_md5(const unsigned char *data, size_t length, unsigned char *out16) {
    MD5(data, length, out16);
}

/* AES-128-CBC over whole blocks (`length` a multiple of 16); padding is the caller's. */
static inline int ewelink_aes128_cbc(const unsigned char *key16, const unsigned char *iv16, const unsigned char *in,
                                     unsigned char *out, size_t length, int encrypt) {
    AES_KEY schedule;
    unsigned char ivec[16];
    int ok = encrypt ? AES_set_encrypt_key(key16, 128, &schedule) : AES_set_decrypt_key(key16, 128, &schedule);
    if (ok != 0) return 0;
    memcpy(ivec, iv16, 16);
    AES_cbc_encrypt(in, out, length, &schedule, ivec, encrypt ? AES_ENCRYPT : AES_DECRYPT);
    OPENSSL_cleanse(&schedule, sizeof schedule);
    return 1;
}
#pragma GCC diagnostic pop

#include <stdio.h>
/* The C library's own "%*.*f" (EWeLinkCore's Double.formatted(decimals:width:)), called with its
   arguments typed: Swift's withVaList finds each argument's C passing class by a dynamic cast, and
   each cast's first lookup scans every protocol conformance of the binary (1.6 M instructions,
   16 % of a one-shot `ewelink on`, measured with callgrind). Not OpenSSL, but the shim EWeLinkCore
   already imports (as getrandom above). */
static inline int ewelink_format_fixed(char *buffer, size_t size, int width, int decimals, double value) {
    return snprintf(buffer, size, "%*.*f", width, decimals, value);
}
#endif
