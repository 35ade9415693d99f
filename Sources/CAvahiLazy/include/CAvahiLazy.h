#ifndef CAVAHI_LAZY_H
#define CAVAHI_LAZY_H
/* The definitions of the `ewelink_avahi_*` functions CAvahi's shim.h declares: each opens
 * libavahi-client on first use and calls the library's function. Nothing to import from here. */
#endif
