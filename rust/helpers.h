/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Out-of-line wrappers for the static inline functions, macros and
 * anonymous-union fields of the kernel's C API that zcpair's Rust
 * abstractions (rust/) use. Each does nothing but what it is named after.
 */
#ifndef ZCPAIR_HELPERS_H
#define ZCPAIR_HELPERS_H

#include <linux/capability.h>
#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/hrtimer.h>
#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <linux/platform_device.h>
#include <linux/skbuff.h>
#include <linux/smp.h>
#include <net/addrconf.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netdev_queues.h>
#include <net/rtnetlink.h>
#include <net/sch_generic.h>
#include <net/sock.h>

/* net_device */
void *zcpair_netdev_priv(const struct net_device *dev);
unsigned int zcpair_netdev_align(void);
void zcpair_netdev_lockdep_set_classes(struct net_device *dev);
bool zcpair_netif_running(const struct net_device *dev);
bool zcpair_netif_carrier_ok(const struct net_device *dev);
struct netdev_queue *zcpair_netdev_txq(struct net_device *dev, unsigned int index);
void zcpair_txq_stop(struct netdev_queue *txq);
void zcpair_txq_wake(struct netdev_queue *txq);
bool zcpair_txq_stopped(const struct netdev_queue *txq);
bool zcpair_txq_xmit_stopped(const struct netdev_queue *txq);
void zcpair_txq_lock(struct netdev_queue *txq);
void zcpair_txq_unlock(struct netdev_queue *txq);
bool zcpair_txq_sent(struct netdev_queue *txq, unsigned int bytes, bool xmit_more);
void zcpair_txq_completed(struct netdev_queue *txq, unsigned int pkts, unsigned int bytes);
void zcpair_txq_reset(struct netdev_queue *txq);
bool zcpair_txq_has_qdisc(const struct netdev_queue *txq);
void zcpair_netif_tx_start_all_queues(struct net_device *dev);
void zcpair_netif_tx_disable(struct net_device *dev);
bool zcpair_netdev_xmit_more(void);
void zcpair_eth_hw_addr_random(struct net_device *dev);
void zcpair_dev_hold(struct net_device *dev);
void zcpair_dev_put(struct net_device *dev);
struct net *zcpair_dev_net(const struct net_device *dev);
void zcpair_netdev_setup(struct net_device *dev, unsigned int min_mtu, unsigned int max_mtu,
			 u64 features, const struct net_device_ops *ops,
			 const struct ethtool_ops *ethtool_ops,
			 void (*destructor)(struct net_device *dev),
			 const struct netdev_stat_ops *stat_ops);
bool zcpair_net_admin_capable(const struct net *net);
void zcpair_put_net(struct net *net);
int zcpair_nla_len(const struct nlattr *nla);
void *zcpair_nla_data(const struct nlattr *nla);
void zcpair_set_err_msg(struct netlink_ext_ack *extack, const struct nlattr *attr, const char *msg);
void zcpair_set_ifindex(struct net_device *dev, int ifindex);
void zcpair_unregister_netdevice(struct net_device *dev);
bool zcpair_netdev_is_registered(const struct net_device *dev);
bool zcpair_netdev_is_uninitialized(const struct net_device *dev);
const struct rtnl_link_ops *zcpair_netdev_link_ops(const struct net_device *dev);

/* NAPI */
void zcpair_netif_napi_del(struct napi_struct *napi);
struct net_device *zcpair_napi_dev(const struct napi_struct *napi);

/* RCU */
void zcpair_rcu_read_lock(void);
void zcpair_rcu_read_unlock(void);

/* BH */
void zcpair_local_bh_disable(void);
void zcpair_local_bh_enable(void);

/* sk_buff */
unsigned int zcpair_skb_len(const struct sk_buff *skb);
bool zcpair_skb_head_frag(const struct sk_buff *skb);
void zcpair_skb_set_ip_summed(struct sk_buff *skb, u8 ip_summed);
void zcpair_skb_set_gso(struct sk_buff *skb, unsigned int size, unsigned int type, unsigned int segs);
void zcpair_skb_zcopy_attach(struct sk_buff *skb, struct ubuf_info *uarg);
void zcpair_gro_normal_list(struct napi_struct *napi);
void zcpair_napi_receive_normal(struct napi_struct *napi, struct sk_buff *skb);
bool zcpair_udp_encap_needed(void);
void zcpair_hrtimer_init(struct hrtimer *timer,
			 enum hrtimer_restart (*fn)(struct hrtimer *));
void zcpair_hrtimer_start_within(struct hrtimer *timer, u64 ns);
void zcpair_csd_init(call_single_data_t *csd, smp_call_func_t func);
unsigned int zcpair_this_cpu(void);
bool zcpair_cpu_online(unsigned int cpu);
unsigned int zcpair_nr_cpu_ids(void);
unsigned long zcpair_jiffies(void);
unsigned int zcpair_hz(void);
void zcpair_skb_get(struct sk_buff *skb);
void zcpair_kfree_skb(struct sk_buff *skb);
void zcpair_dev_kfree_skb_any(struct sk_buff *skb);
void zcpair_skb_put_data(struct sk_buff *skb, const void *data, unsigned int len);
bool zcpair_pskb_may_pull(struct sk_buff *skb, unsigned int len);
unsigned int zcpair_skb_tailroom(const struct sk_buff *skb);
bool zcpair_skb_shared(const struct sk_buff *skb);
void zcpair_skb_set_shared_frag(struct sk_buff *skb);
void zcpair_skb_record_rx_queue(struct sk_buff *skb, u16 index);
void zcpair_skb_add_rx_frag(struct sk_buff *skb, unsigned int i, struct page *page,
			    unsigned int off, unsigned int size, unsigned int truesize);
void zcpair_skb_tx_timestamp(struct sk_buff *skb);

/*
 * What a transmit path reads of a frame before placing it, in one call
 * (a frame's path would otherwise make one call per field): each member
 * is what the inline or field in its comment gives.
 */
struct zcpair_skb_view {
	struct ubuf_info *uarg;		/* skb_zcopy() */
	unsigned int gso_type;		/* skb_shinfo()->gso_type */
	unsigned int gso_size;		/* skb_shinfo()->gso_size */
	unsigned int csum_start;	/* skb_checksum_start_offset() */
	unsigned int csum_offset;	/* skb->csum_offset */
	unsigned int nr_frags;		/* skb_shinfo()->nr_frags */
	u8 ip_summed;			/* skb->ip_summed */
	bool shared_frag;		/* skb_has_shared_frag() */
};
void zcpair_skb_view(struct sk_buff *skb, struct zcpair_skb_view *view);
struct page *zcpair_skb_frag(const struct sk_buff *skb, unsigned int i, unsigned int *off,
			     unsigned int *size);
struct sk_buff *zcpair_napi_alloc_skb_data(struct napi_struct *napi, unsigned int room,
					   const void *data, unsigned int len);
bool zcpair_skb_sender_full(const struct sk_buff *skb);
int zcpair_skb_linearize(struct sk_buff *skb);

void zcpair_skb_set_protocol_eth(struct sk_buff *skb, struct net_device *dev);

/* pages */
void zcpair_get_page(struct page *page);
void zcpair_put_page(struct page *page);
struct page *zcpair_virt_to_head_page(const void *addr);
size_t zcpair_page_span(struct page *page);
unsigned long zcpair_page_to_pfn(struct page *page);
void *zcpair_page_address(struct page *page);
void *zcpair_netdev_alloc_frag(unsigned int size);
void zcpair_free_frag(void *addr);

/* DMA */
void *zcpair_dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *handle);
void zcpair_dma_free_coherent(struct device *dev, size_t size, void *cpu, dma_addr_t handle);
int zcpair_dma_set_mask_and_coherent(struct device *dev, u64 mask);
struct platform_device *zcpair_platform_device_register(const char *name);
struct device *zcpair_platform_device_dev(struct platform_device *pdev);


/* network namespaces and device lookup (rtnl held) */
struct net_device *zcpair_netdev_find(struct net *net, unsigned long *ifindex);
const char *zcpair_netdev_name(const struct net_device *dev);

/* generic netlink */
struct sk_buff *zcpair_genlmsg_new(void);
void zcpair_genlmsg_end(struct sk_buff *skb, void *hdr);
void zcpair_genlmsg_cancel(struct sk_buff *skb, void *hdr);
int zcpair_genlmsg_reply(struct sk_buff *skb, struct genl_info *info);
void zcpair_genlmsg_multicast_netns(const struct genl_family *family, struct net *net,
				    struct sk_buff *skb, unsigned int group);
bool zcpair_genl_has_listeners(const struct genl_family *family, struct net *net,
			       unsigned int group);
void zcpair_nlmsg_free(struct sk_buff *skb);
struct net *zcpair_genl_info_net(const struct genl_info *info);
struct net *zcpair_dump_net(const struct netlink_callback *cb);
void *zcpair_genlmsg_put_dump(struct sk_buff *skb, const struct netlink_callback *cb,
			      const struct genl_family *family, u8 cmd);
int zcpair_nla_put_u8(struct sk_buff *skb, int type, u8 value);
int zcpair_nla_put_u32(struct sk_buff *skb, int type, u32 value);
int zcpair_nla_put_s32(struct sk_buff *skb, int type, s32 value);
int zcpair_nla_put_uint(struct sk_buff *skb, int type, u64 value);
int zcpair_nla_put_string(struct sk_buff *skb, int type, const char *str);
struct nlattr *zcpair_nla_nest_start(struct sk_buff *skb, int type);
void zcpair_nla_nest_end(struct sk_buff *skb, struct nlattr *nest);
void zcpair_nla_nest_cancel(struct sk_buff *skb, struct nlattr *nest);

/* Other drivers' devices (rust/lower.rs) */
void zcpair_netdev_hold(struct net_device *dev, netdevice_tracker *tracker);
void zcpair_netdev_put(struct net_device *dev, netdevice_tracker *tracker);
const unsigned char *zcpair_netdev_addr(const struct net_device *dev);
unsigned int zcpair_netdev_mtu(const struct net_device *dev);
bool zcpair_netdev_is_ethernet(const struct net_device *dev);
int zcpair_dev_queue_xmit_on(struct sk_buff *skb, struct net_device *dev);
bool zcpair_netdev_rx_handler_is(const struct net_device *dev, rx_handler_func_t *handler);
bool zcpair_netdev_has_rx_handler(const struct net_device *dev);
void *zcpair_netdev_rx_handler_data(const struct net_device *dev);
void zcpair_netdev_set_mtu_field(struct net_device *dev, unsigned int mtu);
struct net_device *zcpair_netdev_notifier_info_to_dev(void *info);
struct net_device *zcpair_ifa4(void *ptr, __be32 *addr);
struct net_device *zcpair_ifa6(void *ptr, struct in6_addr *addr);
const struct ethhdr *zcpair_skb_eth_hdr(const struct sk_buff *skb);
bool zcpair_skb_is_loopback(const struct sk_buff *skb);
struct sk_buff *zcpair_skb_share_check(struct sk_buff *skb);
void zcpair_skb_to_host(struct sk_buff *skb, struct net_device *dev);
void zcpair_skb_set_dev(struct sk_buff *skb, struct net_device *dev);
struct net_device *zcpair_skb_dev(const struct sk_buff *skb);

/* Constants bindgen cannot evaluate as macros (BIT()). */
enum {
	ZCPAIR_COALESCE_TX_USECS = ETHTOOL_COALESCE_TX_USECS,
	ZCPAIR_COALESCE_TX_MAX_FRAMES = ETHTOOL_COALESCE_TX_MAX_FRAMES,
	ZCPAIR_COALESCE_RX_USECS = ETHTOOL_COALESCE_RX_USECS,
	ZCPAIR_COALESCE_RX_MAX_FRAMES = ETHTOOL_COALESCE_RX_MAX_FRAMES,
	ZCPAIR_COALESCE_USE_ADAPTIVE_RX = ETHTOOL_COALESCE_USE_ADAPTIVE_RX,
	ZCPAIR_COALESCE_PKT_RATE_LOW = ETHTOOL_COALESCE_PKT_RATE_LOW,
};

#endif /* ZCPAIR_HELPERS_H */
