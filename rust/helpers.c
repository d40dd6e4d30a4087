// SPDX-License-Identifier: GPL-2.0
/*
 * Out-of-line wrappers for static inline kernel functions (see helpers.h).
 */
#include "helpers.h"

void *zcpair_netdev_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

unsigned int zcpair_netdev_align(void)
{
	return NETDEV_ALIGN;
}
