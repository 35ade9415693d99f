/* libavahi-client, opened on first use (see CAvahi/shim.h for why). One dlopen, guarded by
 * pthread_once; every function of the library we use is looked up then, so a library without one
 * of them is refused as a whole, with its name, instead of failing later. Until it is loaded, the
 * calls that can come first (a poll, a client, a string list, an error's text) fail the way the
 * library's own do when it cannot work: NULL, an error code, a message naming the cause. */
#include "../CAvahi/shim.h"
#include "CLazyLibrary.h"
#include <dlfcn.h>
#include <pthread.h>

#define EWELINK_AVAHI_FUNCTIONS(X) \
    X(avahi_address_snprint) X(avahi_client_errno) X(avahi_client_free) X(avahi_client_get_host_name) \
    X(avahi_client_new) X(avahi_entry_group_add_service_strlst) X(avahi_entry_group_commit) \
    X(avahi_entry_group_free) X(avahi_entry_group_get_state) X(avahi_entry_group_is_empty) \
    X(avahi_entry_group_new) X(avahi_entry_group_reset) X(avahi_entry_group_update_service_txt_strlst) \
    X(avahi_service_browser_free) X(avahi_service_browser_get_client) X(avahi_service_browser_new) \
    X(avahi_service_resolver_free) X(avahi_service_resolver_get_client) X(avahi_service_resolver_new) \
    X(avahi_strerror) X(avahi_string_list_add) X(avahi_string_list_free) X(avahi_string_list_get_next) \
    X(avahi_string_list_get_size) X(avahi_string_list_get_text) X(avahi_threaded_poll_free) \
    X(avahi_threaded_poll_get) X(avahi_threaded_poll_lock) X(avahi_threaded_poll_new) \
    X(avahi_threaded_poll_start) X(avahi_threaded_poll_stop) X(avahi_threaded_poll_unlock)

EWELINK_LAZY_LIBRARY(EWELINK_AVAHI_FUNCTIONS)

static void load(void) {
    load_error = ewelink_lazy_open("libavahi-client.so.3", "libavahi-client3", RTLD_NOW | RTLD_LOCAL, names,
                                   (void **)&library, sizeof names / sizeof *names, load_error_text,
                                   sizeof load_error_text);
}

const char *ewelink_avahi_load_error(void) {
    pthread_once(&once, load);
    return load_error;
}

#define LOADED() (ewelink_avahi_load_error() == NULL)

char *ewelink_avahi_address_snprint(char *ret_s, size_t length, const AvahiAddress *a) {
    return LOADED() ? library.avahi_address_snprint(ret_s, length, a) : NULL;
}
int ewelink_avahi_client_errno(AvahiClient *c) {
    return LOADED() ? library.avahi_client_errno(c) : AVAHI_ERR_NOT_SUPPORTED;
}
void ewelink_avahi_client_free(AvahiClient *client) {
    if (LOADED()) library.avahi_client_free(client);
}
const char *ewelink_avahi_client_get_host_name(AvahiClient *c) {
    return LOADED() ? library.avahi_client_get_host_name(c) : NULL;
}
AvahiClient *ewelink_avahi_client_new(const AvahiPoll *poll_api, AvahiClientFlags flags,
                                      AvahiClientCallback callback, void *userdata, int *error) {
    if (LOADED()) return library.avahi_client_new(poll_api, flags, callback, userdata, error);
    if (error) *error = AVAHI_ERR_NOT_SUPPORTED;
    return NULL;
}
int ewelink_avahi_entry_group_add_service_strlst(AvahiEntryGroup *group, AvahiIfIndex interface,
                                                 AvahiProtocol protocol, AvahiPublishFlags flags,
                                                 const char *name, const char *type, const char *domain,
                                                 const char *host, uint16_t port, AvahiStringList *txt) {
    return LOADED() ? library.avahi_entry_group_add_service_strlst(group, interface, protocol, flags, name, type,
                                                                   domain, host, port, txt)
                    : AVAHI_ERR_NOT_SUPPORTED;
}
int ewelink_avahi_entry_group_commit(AvahiEntryGroup *g) {
    return LOADED() ? library.avahi_entry_group_commit(g) : AVAHI_ERR_NOT_SUPPORTED;
}
int ewelink_avahi_entry_group_free(AvahiEntryGroup *g) {
    return LOADED() ? library.avahi_entry_group_free(g) : AVAHI_ERR_NOT_SUPPORTED;
}
int ewelink_avahi_entry_group_get_state(AvahiEntryGroup *g) {
    return LOADED() ? library.avahi_entry_group_get_state(g) : AVAHI_ENTRY_GROUP_FAILURE;
}
int ewelink_avahi_entry_group_is_empty(AvahiEntryGroup *g) {
    return LOADED() ? library.avahi_entry_group_is_empty(g) : AVAHI_ERR_NOT_SUPPORTED;
}
AvahiEntryGroup *ewelink_avahi_entry_group_new(AvahiClient *c, AvahiEntryGroupCallback callback, void *userdata) {
    return LOADED() ? library.avahi_entry_group_new(c, callback, userdata) : NULL;
}
int ewelink_avahi_entry_group_reset(AvahiEntryGroup *g) {
    return LOADED() ? library.avahi_entry_group_reset(g) : AVAHI_ERR_NOT_SUPPORTED;
}
int ewelink_avahi_entry_group_update_service_txt_strlst(AvahiEntryGroup *g, AvahiIfIndex interface,
                                                        AvahiProtocol protocol, AvahiPublishFlags flags,
                                                        const char *name, const char *type, const char *domain,
                                                        AvahiStringList *strlst) {
    return LOADED() ? library.avahi_entry_group_update_service_txt_strlst(g, interface, protocol, flags, name, type,
                                                                          domain, strlst)
                    : AVAHI_ERR_NOT_SUPPORTED;
}
int ewelink_avahi_service_browser_free(AvahiServiceBrowser *b) {
    return LOADED() ? library.avahi_service_browser_free(b) : AVAHI_ERR_NOT_SUPPORTED;
}
AvahiClient *ewelink_avahi_service_browser_get_client(AvahiServiceBrowser *b) {
    return LOADED() ? library.avahi_service_browser_get_client(b) : NULL;
}
AvahiServiceBrowser *ewelink_avahi_service_browser_new(AvahiClient *client, AvahiIfIndex interface,
                                                       AvahiProtocol protocol, const char *type, const char *domain,
                                                       AvahiLookupFlags flags, AvahiServiceBrowserCallback callback,
                                                       void *userdata) {
    return LOADED() ? library.avahi_service_browser_new(client, interface, protocol, type, domain, flags, callback,
                                                        userdata)
                    : NULL;
}
int ewelink_avahi_service_resolver_free(AvahiServiceResolver *r) {
    return LOADED() ? library.avahi_service_resolver_free(r) : AVAHI_ERR_NOT_SUPPORTED;
}
AvahiClient *ewelink_avahi_service_resolver_get_client(AvahiServiceResolver *r) {
    return LOADED() ? library.avahi_service_resolver_get_client(r) : NULL;
}
AvahiServiceResolver *ewelink_avahi_service_resolver_new(AvahiClient *client, AvahiIfIndex interface,
                                                         AvahiProtocol protocol, const char *name, const char *type,
                                                         const char *domain, AvahiProtocol aprotocol,
                                                         AvahiLookupFlags flags, AvahiServiceResolverCallback callback,
                                                         void *userdata) {
    return LOADED() ? library.avahi_service_resolver_new(client, interface, protocol, name, type, domain, aprotocol,
                                                         flags, callback, userdata)
                    : NULL;
}
const char *ewelink_avahi_strerror(int error) {
    return LOADED() ? library.avahi_strerror(error) : load_error;
}
AvahiStringList *ewelink_avahi_string_list_add(AvahiStringList *l, const char *text) {
    return LOADED() ? library.avahi_string_list_add(l, text) : NULL;
}
void ewelink_avahi_string_list_free(AvahiStringList *l) {
    if (LOADED()) library.avahi_string_list_free(l);
}
AvahiStringList *ewelink_avahi_string_list_get_next(AvahiStringList *l) {
    return LOADED() ? library.avahi_string_list_get_next(l) : NULL;
}
size_t ewelink_avahi_string_list_get_size(AvahiStringList *l) {
    return LOADED() ? library.avahi_string_list_get_size(l) : 0;
}
uint8_t *ewelink_avahi_string_list_get_text(AvahiStringList *l) {
    return LOADED() ? library.avahi_string_list_get_text(l) : NULL;
}
void ewelink_avahi_threaded_poll_free(AvahiThreadedPoll *p) {
    if (LOADED()) library.avahi_threaded_poll_free(p);
}
const AvahiPoll *ewelink_avahi_threaded_poll_get(AvahiThreadedPoll *p) {
    return LOADED() ? library.avahi_threaded_poll_get(p) : NULL;
}
void ewelink_avahi_threaded_poll_lock(AvahiThreadedPoll *p) {
    if (LOADED()) library.avahi_threaded_poll_lock(p);
}
AvahiThreadedPoll *ewelink_avahi_threaded_poll_new(void) {
    return LOADED() ? library.avahi_threaded_poll_new() : NULL;
}
int ewelink_avahi_threaded_poll_start(AvahiThreadedPoll *p) {
    return LOADED() ? library.avahi_threaded_poll_start(p) : AVAHI_ERR_NOT_SUPPORTED;
}
int ewelink_avahi_threaded_poll_stop(AvahiThreadedPoll *p) {
    return LOADED() ? library.avahi_threaded_poll_stop(p) : AVAHI_ERR_NOT_SUPPORTED;
}
void ewelink_avahi_threaded_poll_unlock(AvahiThreadedPoll *p) {
    if (LOADED()) library.avahi_threaded_poll_unlock(p);
}
