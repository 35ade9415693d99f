#ifndef CLAZY_LIBRARY_H
#define CLAZY_LIBRARY_H
#include <pthread.h>
#include <stddef.h>

/* Opens the shared library `soname` (dlopen with `flags`) and looks up each of the `count` `names`
   into `symbols`, in order. NULL when all were found; else why not, written into `error` (of
   `error_size` bytes) and returned: the library is missing (install `package`), or lacks a name.
   CAvahiLazy and COpenSSLLazy call it once each, under pthread_once. */
const char *ewelink_lazy_open(const char *soname, const char *package, int flags, const char *const *names,
                              void **symbols, size_t count, char *error, size_t error_size);

/* The state of one lazily opened library whose functions LIST names (an X-macro: LIST(X) applies X
   to each name): `library`, one typed pointer per function; `names`, their names in the same
   order; and the pthread_once guard and error text of its loader. */
#define EWELINK_LAZY_POINTER(name) __typeof__(name) *name;
#define EWELINK_LAZY_NAME(name) #name,
#define EWELINK_LAZY_LIBRARY(LIST)                                                          \
    static struct { LIST(EWELINK_LAZY_POINTER) } library;                                   \
    static const char *const names[] = { LIST(EWELINK_LAZY_NAME) };                         \
    _Static_assert(sizeof library == sizeof names, "one function pointer per name");        \
    static pthread_once_t once = PTHREAD_ONCE_INIT;                                         \
    static const char *load_error;                                                          \
    static char load_error_text[512];
#endif
