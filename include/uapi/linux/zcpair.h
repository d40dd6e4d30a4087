/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * zcpair: paired virtual Ethernet devices over shared DMA-coherent rings.
 *
 * The rtnetlink kind attributes of `ip link add ... type zcpair`, carried
 * in IFLA_INFO_DATA. Used by the module and by zcpairctl.
 */
#ifndef _UAPI_LINUX_ZCPAIR_H
#define _UAPI_LINUX_ZCPAIR_H

enum {
	ZCPAIR_INFO_UNSPEC,
	/* struct ifinfomsg followed by the peer's IFLA_* attributes */
	ZCPAIR_INFO_PEER,
	/* u32: descriptor ring slots per direction, a power of two */
	ZCPAIR_INFO_RING_SIZE,
	/* u32: bytes of the pre-mapped header buffer of each slot */
	ZCPAIR_INFO_HDR_BUF,
	/* u32: frames up to this length are copied whole */
	ZCPAIR_INFO_COPYBREAK,
	__ZCPAIR_INFO_MAX
};
#define ZCPAIR_INFO_MAX (__ZCPAIR_INFO_MAX - 1)

#define ZCPAIR_RING_SIZE_MIN	16
#define ZCPAIR_RING_SIZE_MAX	4096
#define ZCPAIR_RING_SIZE_DEFAULT 256
#define ZCPAIR_HDR_BUF_MIN	128
#define ZCPAIR_HDR_BUF_MAX	1024
#define ZCPAIR_HDR_BUF_DEFAULT	256
#define ZCPAIR_COPYBREAK_DEFAULT 128

#endif /* _UAPI_LINUX_ZCPAIR_H */
