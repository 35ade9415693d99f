#include "CLazyLibrary.h"
#include <dlfcn.h>
#include <stdio.h>

const char *ewelink_lazy_open(const char *soname, const char *package, int flags, const char *const *names,
                              void **symbols, size_t count, char *error, size_t error_size) {
    void *handle = dlopen(soname, flags);
    if (handle == NULL) {
        const char *why = dlerror();
        snprintf(error, error_size, "%s could not be loaded (%s); install %s", soname,
                 why ? why : "no reason given", package);
        return error;
    }
    for (size_t i = 0; i < count; i++) {
        symbols[i] = dlsym(handle, names[i]);
        if (symbols[i] == NULL) {
            snprintf(error, error_size, "%s has no %s", soname, names[i]);
            return error;
        }
    }
    return NULL;
}
