/* libcrypto, opened on first use (see COpenSSL/shim.h for why). One dlopen, guarded by
 * pthread_once; every function we use is looked up then, so a libcrypto without one of them is
 * refused as a whole, with its name. Until it is loaded the calls fail the way OpenSSL's own do
 * (NULL, 0, an error code); the callers check them (Digest and the HMAC stop the process with
 * ewelink_crypto_load_error's message: a system without libcrypto cannot run this program). */
#define _GNU_SOURCE 1 /* RTLD_DEEPBIND; before any system header */
#include "../COpenSSL/shim.h"
#include "CLazyLibrary.h"
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

#define EWELINK_CRYPTO_FUNCTIONS(X) X(MD5) X(AES_set_encrypt_key) X(AES_set_decrypt_key) X(AES_cbc_encrypt) X(OPENSSL_cleanse) X(EVP_sha256) X(EVP_Digest) X(EVP_MAC_fetch) X(EVP_MAC_free) X(EVP_MAC_CTX_new) X(EVP_MAC_CTX_free) X(EVP_MAC_init) X(EVP_MAC_update) X(EVP_MAC_final) X(OSSL_PARAM_construct_utf8_string) X(OSSL_PARAM_construct_end) X(d2i_X509) X(X509_free) X(X509_get_issuer_name) X(X509_get_subject_name) X(X509_NAME_oneline)

EWELINK_LAZY_LIBRARY(EWELINK_CRYPTO_FUNCTIONS)

/* RTLD_DEEPBIND: libcrypto's own 3,400 symbol references (Debian links it BIND_NOW) are looked up
   in libcrypto and its dependencies first. Without it each lookup first misses in every library
   the executable loaded: +1.0 M instructions for an `ewelink on` (callgrind) over linking
   libcrypto at load time; with it, 0.5 M fewer than that. The sanitizers' runtimes refuse RTLD_DEEPBIND (the fuzz targets
   are built with AddressSanitizer), so sanitized builds open it without. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer) \
    || __has_feature(undefined_behavior_sanitizer)
#define EWELINK_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define EWELINK_SANITIZED 1
#endif
#ifdef EWELINK_SANITIZED
#define EWELINK_DLOPEN_FLAGS (RTLD_NOW | RTLD_LOCAL)
#else
#define EWELINK_DLOPEN_FLAGS (RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND)
#endif

static void load(void) {
    load_error = ewelink_lazy_open("libcrypto.so.3", "libssl3", EWELINK_DLOPEN_FLAGS, names, (void **)&library,
                                   sizeof names / sizeof *names, load_error_text, sizeof load_error_text);
}

const char *ewelink_crypto_load_error(void) {
    pthread_once(&once, load);
    return load_error;
}

#define LOADED() (ewelink_crypto_load_error() == NULL)

unsigned char *ewelink_crypto_MD5(const unsigned char *d, size_t n, unsigned char *md) {
    return LOADED() ? library.MD5(d, n, md) : NULL;
}
int ewelink_crypto_AES_set_encrypt_key(const unsigned char *userKey, const int bits, AES_KEY *key) {
    return LOADED() ? library.AES_set_encrypt_key(userKey, bits, key) : -1;
}
int ewelink_crypto_AES_set_decrypt_key(const unsigned char *userKey, const int bits, AES_KEY *key) {
    return LOADED() ? library.AES_set_decrypt_key(userKey, bits, key) : -1;
}
void ewelink_crypto_AES_cbc_encrypt(const unsigned char *in, unsigned char *out, size_t length, const AES_KEY *key, unsigned char *ivec, const int enc) {
    if (LOADED()) library.AES_cbc_encrypt(in, out, length, key, ivec, enc);
}
void ewelink_crypto_OPENSSL_cleanse(void *ptr, size_t len) {
    if (LOADED()) library.OPENSSL_cleanse(ptr, len);
    else explicit_bzero(ptr, len);
}
const EVP_MD *ewelink_crypto_EVP_sha256(void) {
    return LOADED() ? library.EVP_sha256() : NULL;
}
int ewelink_crypto_EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size, const EVP_MD *type, ENGINE *impl) {
    return LOADED() ? library.EVP_Digest(data, count, md, size, type, impl) : 0;
}
EVP_MAC *ewelink_crypto_EVP_MAC_fetch(OSSL_LIB_CTX *libctx, const char *algorithm, const char *properties) {
    return LOADED() ? library.EVP_MAC_fetch(libctx, algorithm, properties) : NULL;
}
void ewelink_crypto_EVP_MAC_free(EVP_MAC *mac) {
    if (LOADED()) library.EVP_MAC_free(mac);
}
EVP_MAC_CTX *ewelink_crypto_EVP_MAC_CTX_new(EVP_MAC *mac) {
    return LOADED() ? library.EVP_MAC_CTX_new(mac) : NULL;
}
void ewelink_crypto_EVP_MAC_CTX_free(EVP_MAC_CTX *ctx) {
    if (LOADED()) library.EVP_MAC_CTX_free(ctx);
}
int ewelink_crypto_EVP_MAC_init(EVP_MAC_CTX *ctx, const unsigned char *key, size_t keylen, const OSSL_PARAM params[]) {
    return LOADED() ? library.EVP_MAC_init(ctx, key, keylen, params) : 0;
}
int ewelink_crypto_EVP_MAC_update(EVP_MAC_CTX *ctx, const unsigned char *data, size_t datalen) {
    return LOADED() ? library.EVP_MAC_update(ctx, data, datalen) : 0;
}
int ewelink_crypto_EVP_MAC_final(EVP_MAC_CTX *ctx, unsigned char *out, size_t *outl, size_t outsize) {
    return LOADED() ? library.EVP_MAC_final(ctx, out, outl, outsize) : 0;
}
OSSL_PARAM ewelink_crypto_OSSL_PARAM_construct_utf8_string(const char *key, char *buf, size_t bsize) {
    if (LOADED()) return library.OSSL_PARAM_construct_utf8_string(key, buf, bsize);
    OSSL_PARAM end = {0};
    return end;
}
OSSL_PARAM ewelink_crypto_OSSL_PARAM_construct_end(void) {
    if (LOADED()) return library.OSSL_PARAM_construct_end();
    OSSL_PARAM end = {0};
    return end;
}
X509 *ewelink_crypto_d2i_X509(X509 **a, const unsigned char **in, long len) {
    return LOADED() ? library.d2i_X509(a, in, len) : NULL;
}
void ewelink_crypto_X509_free(X509 *a) {
    if (LOADED()) library.X509_free(a);
}
X509_NAME *ewelink_crypto_X509_get_issuer_name(const X509 *a) {
    return LOADED() ? library.X509_get_issuer_name(a) : NULL;
}
X509_NAME *ewelink_crypto_X509_get_subject_name(const X509 *a) {
    return LOADED() ? library.X509_get_subject_name(a) : NULL;
}
char *ewelink_crypto_X509_NAME_oneline(const X509_NAME *a, char *buf, int size) {
    return LOADED() ? library.X509_NAME_oneline(a, buf, size) : NULL;
}
