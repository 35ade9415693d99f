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

/* libcrypto is opened (dlopen) on the first call that needs it, not when a program starts: Debian
   links it with BIND_NOW, so loading it makes 3,377 of the 5,200 symbol bindings the loader did
   for `ewelink --version`, which never needs it (LD_DEBUG=bindings; 5.7 -> 2.9 M instructions). Each
   `ewelink_crypto_X` has the type of OpenSSL's `X` and calls it (COpenSSLLazy defines them); Swift
   and the functions below call only these. `ewelink_crypto_load_error` is NULL once libcrypto is
   loaded, else why it could not be. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#define EWELINK_CRYPTO_LAZY(name) extern __typeof__(name) ewelink_crypto_##name;
EWELINK_CRYPTO_LAZY(MD5)
EWELINK_CRYPTO_LAZY(AES_set_encrypt_key)
EWELINK_CRYPTO_LAZY(AES_set_decrypt_key)
EWELINK_CRYPTO_LAZY(AES_cbc_encrypt)
EWELINK_CRYPTO_LAZY(OPENSSL_cleanse)
EWELINK_CRYPTO_LAZY(EVP_sha256)
EWELINK_CRYPTO_LAZY(EVP_Digest)
EWELINK_CRYPTO_LAZY(EVP_MAC_fetch)
EWELINK_CRYPTO_LAZY(EVP_MAC_free)
EWELINK_CRYPTO_LAZY(EVP_MAC_CTX_new)
EWELINK_CRYPTO_LAZY(EVP_MAC_CTX_free)
EWELINK_CRYPTO_LAZY(EVP_MAC_init)
EWELINK_CRYPTO_LAZY(EVP_MAC_update)
EWELINK_CRYPTO_LAZY(EVP_MAC_final)
EWELINK_CRYPTO_LAZY(OSSL_PARAM_construct_utf8_string)
EWELINK_CRYPTO_LAZY(OSSL_PARAM_construct_end)
EWELINK_CRYPTO_LAZY(d2i_X509)
EWELINK_CRYPTO_LAZY(X509_free)
EWELINK_CRYPTO_LAZY(X509_get_issuer_name)
EWELINK_CRYPTO_LAZY(X509_get_subject_name)
EWELINK_CRYPTO_LAZY(X509_NAME_oneline)
#undef EWELINK_CRYPTO_LAZY
#pragma GCC diagnostic pop
const char *ewelink_crypto_load_error(void);

/* The LAN's own primitives (MD5 of the devicekey, AES-128-CBC of a payload of a few hundred
   bytes) through OpenSSL's low-level functions. Measured (issue 23, callgrind): in a one-shot
   process the first EVP_md5 digest, the first EVP cipher and the first RAND_bytes each build
   OpenSSL 3's provider method tables, about 11 M instructions together, more than the rest of an
   `ewelink on`. These functions are deprecated in OpenSSL 3 in favour of EVP, but present in every
   build that keeps the deprecated API (Debian's does); SHA-256 and HMAC stay on EVP. */
/* 1 with the digest in out16; 0 when libcrypto could not be loaded. */
static inline int ewelink_md5(const unsigned char *data, size_t length, unsigned char *out16) {
    return ewelink_crypto_MD5(data, length, out16) != NULL;
}

/* AES-128-CBC over whole blocks (`length` a multiple of 16); padding is the caller's. */
static inline int ewelink_aes128_cbc(const unsigned char *key16, const unsigned char *iv16, const unsigned char *in,
                                     unsigned char *out, size_t length, int encrypt) {
    AES_KEY schedule;
    unsigned char ivec[16];
    int ok = encrypt ? ewelink_crypto_AES_set_encrypt_key(key16, 128, &schedule)
                     : ewelink_crypto_AES_set_decrypt_key(key16, 128, &schedule);
    if (ok != 0) return 0;
    memcpy(ivec, iv16, 16);
    ewelink_crypto_AES_cbc_encrypt(in, out, length, &schedule, ivec, encrypt ? AES_ENCRYPT : AES_DECRYPT);
    ewelink_crypto_OPENSSL_cleanse(&schedule, sizeof schedule);
    return 1;
}

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
