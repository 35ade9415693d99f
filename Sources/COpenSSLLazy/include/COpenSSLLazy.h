#ifndef COPENSSL_LAZY_H
#define COPENSSL_LAZY_H
/* The definitions of the `ewelink_crypto_*` functions COpenSSL's shim.h declares: each opens
 * libcrypto on first use and calls OpenSSL's function. Nothing to import from here. */
#endif
