#ifndef CAVAHI_SHIM_H
#define CAVAHI_SHIM_H
#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-client/publish.h>
#include <avahi-common/address.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/simple-watch.h>
#include <avahi-common/strlst.h>
#include <avahi-common/thread-watch.h>

/* libavahi-client is opened (dlopen) on the first call that needs it, not when a program starts:
 * a one-shot `ewelink on` to a device with a known address never browses, and loading the library
 * and what it pulls in (libdbus, libsystemd, libgcrypt, liblzma, libzstd, liblz4, libcap) cost
 * every run about 90 page faults and 0.6 ms. Each `ewelink_avahi_x` has the type of `avahi_x` and
 * calls it (CAvahiLazy defines them); Swift calls only these. */
#define EWELINK_AVAHI_LAZY(name) extern __typeof__(name) ewelink_##name;
EWELINK_AVAHI_LAZY(avahi_address_snprint)
EWELINK_AVAHI_LAZY(avahi_client_errno)
EWELINK_AVAHI_LAZY(avahi_client_free)
EWELINK_AVAHI_LAZY(avahi_client_get_host_name)
EWELINK_AVAHI_LAZY(avahi_client_new)
EWELINK_AVAHI_LAZY(avahi_entry_group_add_service_strlst)
EWELINK_AVAHI_LAZY(avahi_entry_group_commit)
EWELINK_AVAHI_LAZY(avahi_entry_group_free)
EWELINK_AVAHI_LAZY(avahi_entry_group_get_state)
EWELINK_AVAHI_LAZY(avahi_entry_group_is_empty)
EWELINK_AVAHI_LAZY(avahi_entry_group_new)
EWELINK_AVAHI_LAZY(avahi_entry_group_reset)
EWELINK_AVAHI_LAZY(avahi_entry_group_update_service_txt_strlst)
EWELINK_AVAHI_LAZY(avahi_service_browser_free)
EWELINK_AVAHI_LAZY(avahi_service_browser_get_client)
EWELINK_AVAHI_LAZY(avahi_service_browser_new)
EWELINK_AVAHI_LAZY(avahi_service_resolver_free)
EWELINK_AVAHI_LAZY(avahi_service_resolver_get_client)
EWELINK_AVAHI_LAZY(avahi_service_resolver_new)
EWELINK_AVAHI_LAZY(avahi_strerror)
EWELINK_AVAHI_LAZY(avahi_string_list_add)
EWELINK_AVAHI_LAZY(avahi_string_list_free)
EWELINK_AVAHI_LAZY(avahi_string_list_get_next)
EWELINK_AVAHI_LAZY(avahi_string_list_get_size)
EWELINK_AVAHI_LAZY(avahi_string_list_get_text)
EWELINK_AVAHI_LAZY(avahi_threaded_poll_free)
EWELINK_AVAHI_LAZY(avahi_threaded_poll_get)
EWELINK_AVAHI_LAZY(avahi_threaded_poll_lock)
EWELINK_AVAHI_LAZY(avahi_threaded_poll_new)
EWELINK_AVAHI_LAZY(avahi_threaded_poll_start)
EWELINK_AVAHI_LAZY(avahi_threaded_poll_stop)
EWELINK_AVAHI_LAZY(avahi_threaded_poll_unlock)
#undef EWELINK_AVAHI_LAZY

/* NULL when libavahi-client is loaded (or loads now), else why it could not be. */
const char *ewelink_avahi_load_error(void);
#endif
