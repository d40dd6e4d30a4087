/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Out-of-line wrappers for the static inline functions and macros of the
 * kernel's C API that zcpair's Rust abstractions (rust/) call. Each one
 * does nothing but call what it is named after.
 */
#ifndef ZCPAIR_HELPERS_H
#define ZCPAIR_HELPERS_H

#include <linux/netdevice.h>

void *zcpair_netdev_priv(const struct net_device *dev);

/* NETDEV_ALIGN is a macro bindgen cannot always evaluate. */
unsigned int zcpair_netdev_align(void);

#endif /* ZCPAIR_HELPERS_H */
