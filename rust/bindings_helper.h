/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel headers zcpair's own bindgen pass reads. The kernel crate's
 * bindings of 6.12 leave struct net_device opaque and have no netdev,
 * skb, NAPI, DMA, rtnl_link_ops, genetlink or ethtool API, so the module
 * generates its own with the kernel's recorded bindgen flags
 * (scripts/module-bindgen.sh).
 */
#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/inetdevice.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/addrconf.h>
#include <net/genetlink.h>
#include <net/netdev_queues.h>
#include <linux/platform_device.h>
#include <net/rtnetlink.h>

#include <uapi/linux/zcpair.h>

#include "helpers.h"
