// SPDX-License-Identifier: GPL-2.0
/*
 * Out-of-line wrappers for static inline kernel functions (see helpers.h).
 */
#include <linux/bottom_half.h>
#include <linux/udp.h>
#include <net/busy_poll.h>
#include <net/gro.h>
#include <net/hotdata.h>
#include <linux/err.h>
#include "helpers.h"

void *zcpair_netdev_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

unsigned int zcpair_netdev_align(void)
{
	return NETDEV_ALIGN;
}

void zcpair_netdev_lockdep_set_classes(struct net_device *dev)
{
	netdev_lockdep_set_classes(dev);
}

bool zcpair_netif_running(const struct net_device *dev)
{
	return netif_running(dev);
}

bool zcpair_netif_carrier_ok(const struct net_device *dev)
{
	return netif_carrier_ok(dev);
}

struct netdev_queue *zcpair_netdev_txq(struct net_device *dev, unsigned int index)
{
	return netdev_get_tx_queue(dev, index);
}

void zcpair_txq_stop(struct netdev_queue *txq)
{
	netif_tx_stop_queue(txq);
}

void zcpair_txq_wake(struct netdev_queue *txq)
{
	netif_tx_wake_queue(txq);
}

bool zcpair_txq_stopped(const struct netdev_queue *txq)
{
	return netif_tx_queue_stopped(txq);
}

bool zcpair_txq_xmit_stopped(const struct netdev_queue *txq)
{
	return netif_xmit_stopped(txq);
}

void zcpair_txq_lock(struct netdev_queue *txq)
{
	__netif_tx_lock(txq, smp_processor_id());
}

void zcpair_txq_unlock(struct netdev_queue *txq)
{
	__netif_tx_unlock(txq);
}

void zcpair_netif_tx_start_all_queues(struct net_device *dev)
{
	netif_tx_start_all_queues(dev);
}

void zcpair_netif_tx_disable(struct net_device *dev)
{
	netif_tx_disable(dev);
}

bool zcpair_netdev_xmit_more(void)
{
	return netdev_xmit_more();
}

bool zcpair_txq_sent(struct netdev_queue *txq, unsigned int bytes, bool xmit_more)
{
	return __netdev_tx_sent_queue(txq, bytes, xmit_more);
}

/* dql_completed() BUG()s when more is completed than was queued: refuse
 * that (with a warning) and forget what is in flight instead. */
void zcpair_txq_completed(struct netdev_queue *txq, unsigned int pkts, unsigned int bytes)
{
#ifdef CONFIG_BQL
	struct dql *dql = &txq->dql;

	if (WARN_ON_ONCE(bytes > READ_ONCE(dql->num_queued) - dql->num_completed)) {
		netdev_tx_reset_queue(txq);
		return;
	}
#endif
	netdev_tx_completed_queue(txq, pkts, bytes);
}

void zcpair_txq_reset(struct netdev_queue *txq)
{
	netdev_tx_reset_queue(txq);
}

void zcpair_eth_hw_addr_random(struct net_device *dev)
{
	eth_hw_addr_random(dev);
}

void zcpair_dev_hold(struct net_device *dev)
{
	dev_hold(dev);
}

void zcpair_dev_put(struct net_device *dev)
{
	dev_put(dev);
}

struct net *zcpair_dev_net(const struct net_device *dev)
{
	return dev_net(dev);
}

void zcpair_netdev_setup(struct net_device *dev, unsigned int min_mtu, unsigned int max_mtu,
			 u64 features, const struct net_device_ops *ops,
			 const struct ethtool_ops *ethtool_ops,
			 void (*destructor)(struct net_device *dev),
			 const struct netdev_stat_ops *stat_ops)
{
	ether_setup(dev);
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE | IFF_NO_QUEUE;
	dev->netdev_ops = ops;
	dev->ethtool_ops = ethtool_ops;
	dev->features |= features;
	dev->hw_features = features;
	dev->hw_enc_features = 0;
	dev->vlan_features = features;
	dev->min_mtu = min_mtu;
	dev->max_mtu = max_mtu;
	dev->needs_free_netdev = true;
	dev->priv_destructor = destructor;
	dev->stat_ops = stat_ops;
	netif_set_tso_max_size(dev, GSO_MAX_SIZE);
}

bool zcpair_net_admin_capable(const struct net *net)
{
	return ns_capable(net->user_ns, CAP_NET_ADMIN);
}

void zcpair_put_net(struct net *net)
{
	put_net(net);
}

int zcpair_nla_len(const struct nlattr *nla)
{
	return nla_len(nla);
}

void *zcpair_nla_data(const struct nlattr *nla)
{
	return nla_data(nla);
}

void zcpair_set_err_msg(struct netlink_ext_ack *extack, const struct nlattr *attr, const char *msg)
{
	/* NL_SET_ERR_MSG_ATTR() wants a literal; msg is 'static in Rust. */
	if (extack) {
		extack->_msg = msg;
		extack->bad_attr = attr;
		extack->policy = NULL;
	}
}

void zcpair_set_ifindex(struct net_device *dev, int ifindex)
{
	dev->ifindex = ifindex;
}

void zcpair_netif_napi_del(struct napi_struct *napi)
{
	netif_napi_del(napi);
}

struct net_device *zcpair_napi_dev(const struct napi_struct *napi)
{
	return napi->dev;
}

void zcpair_local_bh_disable(void)
{
	local_bh_disable();
}

void zcpair_local_bh_enable(void)
{
	local_bh_enable();
}

unsigned int zcpair_skb_len(const struct sk_buff *skb)
{
	return skb->len;
}

bool zcpair_skb_head_frag(const struct sk_buff *skb)
{
	return skb->head_frag;
}

/*
 * Frag @i of @skb: its page (skb_frag_page()), and its offset and size
 * through @off and @size; NULL when @skb has no frag @i.
 */
struct page *zcpair_skb_frag(const struct sk_buff *skb, unsigned int i, unsigned int *off,
			     unsigned int *size)
{
	const skb_frag_t *frag;

	if (i >= skb_shinfo(skb)->nr_frags)
		return NULL;
	frag = &skb_shinfo(skb)->frags[i];
	*off = skb_frag_off(frag);
	*size = skb_frag_size(frag);
	return skb_frag_page(frag);
}

/* See struct zcpair_skb_view in helpers.h. */
void zcpair_skb_view(struct sk_buff *skb, struct zcpair_skb_view *view)
{
	const struct skb_shared_info *shinfo = skb_shinfo(skb);

	view->uarg = skb_zcopy(skb);
	view->gso_type = shinfo->gso_type;
	view->gso_size = shinfo->gso_size;
	view->csum_start = skb_checksum_start_offset(skb);
	view->csum_offset = skb->csum_offset;
	view->nr_frags = shinfo->nr_frags;
	view->ip_summed = skb->ip_summed;
	view->shared_frag = skb_has_shared_frag(skb);
}

/*
 * napi_alloc_skb() with @room bytes of linear room, and skb_put_data() of
 * the first @len (at most @room) bytes at @data into it.
 */
struct sk_buff *zcpair_napi_alloc_skb_data(struct napi_struct *napi, unsigned int room,
					   const void *data, unsigned int len)
{
	struct sk_buff *skb = napi_alloc_skb(napi, room);

	if (skb)
		skb_put_data(skb, data, min(len, room));
	return skb;
}

void zcpair_skb_set_ip_summed(struct sk_buff *skb, u8 ip_summed)
{
	skb->ip_summed = ip_summed;
}

void zcpair_skb_set_gso(struct sk_buff *skb, unsigned int size, unsigned int type,
		       unsigned int segs)
{
	skb_shinfo(skb)->gso_size = size;
	skb_shinfo(skb)->gso_type = type;
	skb_shinfo(skb)->gso_segs = segs;
}

/* Takes a reference on @uarg for @skb, which has no zero-copy state yet. */
void zcpair_skb_zcopy_attach(struct sk_buff *skb, struct ubuf_info *uarg)
{
	skb_zcopy_set(skb, uarg, NULL);
}

/*
 * gro_normal_list() (include/net/gro.h) through exported symbols: the list
 * function it calls is not exported to modules, netif_receive_skb_list()
 * is the same with its trace points.
 */
void zcpair_gro_normal_list(struct napi_struct *napi)
{
	if (!napi->rx_count)
		return;
	netif_receive_skb_list(&napi->rx_list);
	INIT_LIST_HEAD(&napi->rx_list);
	napi->rx_count = 0;
}

/*
 * What napi_gro_receive() does with a frame it passes on unmerged
 * (GRO_NORMAL: napi_skb_finish() in net/core/gro.c, gro_normal_one() in
 * include/net/gro.h), without asking the protocols first: the frame joins
 * the poll's list, which goes to the stack every gro_normal_batch frames
 * and when the poll ends. Not gro_normal_one() itself: its flush calls
 * what zcpair_gro_normal_list() above replaces.
 */
void zcpair_napi_receive_normal(struct napi_struct *napi, struct sk_buff *skb)
{
	skb_mark_napi_id(skb, napi);
	list_add_tail(&skb->list, &napi->rx_list);
	if (++napi->rx_count >= READ_ONCE(net_hotdata.gro_normal_batch))
		zcpair_gro_normal_list(napi);
}

/*
 * Whether some UDP socket asked for GRO or encapsulation (UDP_GRO, a
 * tunnel: udp_tunnel_encap_enable()), v4 or v6 (udp_encap_needed(),
 * include/linux/udp.h): only then do udp4_gro_receive() and
 * udp6_gro_receive() look for a socket that merges.
 */
bool zcpair_udp_encap_needed(void)
{
	return udp_encap_needed();
}

void zcpair_hrtimer_init(struct hrtimer *timer,
			 enum hrtimer_restart (*fn)(struct hrtimer *))
{
	hrtimer_init(timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	timer->function = fn;
}

/*
 * Arms @timer to fire in @ns unless it is queued to fire sooner. A timer
 * whose function is running is not queued: it is armed again (that run
 * may have come before what the caller wants a poll for).
 */
void zcpair_hrtimer_start_within(struct hrtimer *timer, u64 ns)
{
	if (hrtimer_is_queued(timer) &&
	    ktime_to_ns(hrtimer_get_remaining(timer)) <= (s64)ns)
		return;
	hrtimer_start(timer, ns_to_ktime(ns), HRTIMER_MODE_REL);
}

/*
 * INIT_CSD() (include/linux/smp.h) with the csd itself as the function's
 * argument.
 */
void zcpair_csd_init(call_single_data_t *csd, smp_call_func_t func)
{
	INIT_CSD(csd, func, csd);
}

unsigned int zcpair_this_cpu(void)
{
	return raw_smp_processor_id();
}

bool zcpair_cpu_online(unsigned int cpu)
{
	return cpu < nr_cpu_ids && cpu_online(cpu);
}

unsigned int zcpair_nr_cpu_ids(void)
{
	return nr_cpu_ids;
}

unsigned long zcpair_jiffies(void)
{
	return READ_ONCE(jiffies);
}

unsigned int zcpair_hz(void)
{
	return HZ;
}

void zcpair_skb_get(struct sk_buff *skb)
{
	skb_get(skb);
}

void zcpair_kfree_skb(struct sk_buff *skb)
{
	kfree_skb(skb);
}

void zcpair_dev_kfree_skb_any(struct sk_buff *skb)
{
	dev_kfree_skb_any(skb);
}

void zcpair_skb_put_data(struct sk_buff *skb, const void *data, unsigned int len)
{
	skb_put_data(skb, data, len);
}

void zcpair_skb_add_rx_frag(struct sk_buff *skb, unsigned int i, struct page *page,
			    unsigned int off, unsigned int size, unsigned int truesize)
{
	skb_add_rx_frag(skb, i, page, off, size, truesize);
}

bool zcpair_pskb_may_pull(struct sk_buff *skb, unsigned int len)
{
	return pskb_may_pull(skb, len);
}

unsigned int zcpair_skb_tailroom(const struct sk_buff *skb)
{
	return skb_tailroom(skb);
}

bool zcpair_skb_shared(const struct sk_buff *skb)
{
	return skb_shared(skb);
}

void zcpair_skb_set_shared_frag(struct sk_buff *skb)
{
	skb_shinfo(skb)->flags |= SKBFL_SHARED_FRAG;
}

void zcpair_skb_record_rx_queue(struct sk_buff *skb, u16 index)
{
	skb_record_rx_queue(skb, index);
}

bool zcpair_txq_has_qdisc(const struct netdev_queue *txq)
{
	const struct Qdisc *q;
	bool ret;

	rcu_read_lock();
	q = rcu_dereference(txq->qdisc);
	ret = q && q->enqueue;
	rcu_read_unlock();
	return ret;
}

void zcpair_skb_tx_timestamp(struct sk_buff *skb)
{
	skb_tx_timestamp(skb);
}

/*
 * Whether the socket that sent @skb has used up its send buffer: its next
 * allocation (sock_alloc_send_pskb()) waits until frames in flight are
 * freed.
 */
bool zcpair_skb_sender_full(const struct sk_buff *skb)
{
	struct sock *sk = skb->sk;

	return sk && sk_fullsock(sk) &&
	       sk_wmem_alloc_get(sk) >= READ_ONCE(sk->sk_sndbuf);
}

int zcpair_skb_linearize(struct sk_buff *skb)
{
	return skb_linearize(skb);
}

void zcpair_get_page(struct page *page)
{
	get_page(page);
}

void zcpair_put_page(struct page *page)
{
	put_page(page);
}

struct page *zcpair_virt_to_head_page(const void *addr)
{
	return virt_to_head_page(addr);
}

size_t zcpair_page_span(struct page *page)
{
	struct page *head = compound_head(page);

	return page_size(head) - (page - head) * PAGE_SIZE;
}

unsigned long zcpair_page_to_pfn(struct page *page)
{
	return page_to_pfn(page);
}

void *zcpair_page_address(struct page *page)
{
	return page_address(page);
}

void *zcpair_netdev_alloc_frag(unsigned int size)
{
	return netdev_alloc_frag(size);
}

void zcpair_free_frag(void *addr)
{
	skb_free_frag(addr);
}

void *zcpair_dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *handle)
{
	return dma_alloc_coherent(dev, size, handle, GFP_KERNEL);
}

void zcpair_dma_free_coherent(struct device *dev, size_t size, void *cpu, dma_addr_t handle)
{
	dma_free_coherent(dev, size, cpu, handle);
}

int zcpair_dma_set_mask_and_coherent(struct device *dev, u64 mask)
{
	return dma_set_mask_and_coherent(dev, mask);
}

struct platform_device *zcpair_platform_device_register(const char *name)
{
	struct platform_device *pdev = platform_device_register_simple(name, PLATFORM_DEVID_NONE, NULL, 0);

	return IS_ERR(pdev) ? NULL : pdev;
}

struct device *zcpair_platform_device_dev(struct platform_device *pdev)
{
	return &pdev->dev;
}

bool zcpair_netdev_is_uninitialized(const struct net_device *dev)
{
	return dev->reg_state == NETREG_UNINITIALIZED;
}

bool zcpair_netdev_is_registered(const struct net_device *dev)
{
	return dev->reg_state == NETREG_REGISTERED;
}

const struct rtnl_link_ops *zcpair_netdev_link_ops(const struct net_device *dev)
{
	return dev->rtnl_link_ops;
}

void zcpair_unregister_netdevice(struct net_device *dev)
{
	unregister_netdevice(dev);
}

void zcpair_rcu_read_lock(void)
{
	rcu_read_lock();
}

void zcpair_rcu_read_unlock(void)
{
	rcu_read_unlock();
}

void zcpair_skb_set_protocol_eth(struct sk_buff *skb, struct net_device *dev)
{
	skb->protocol = eth_type_trans(skb, dev);
}

struct net_device *zcpair_netdev_find(struct net *net, unsigned long *ifindex)
{
	ASSERT_RTNL();
	return xa_find(&net->dev_by_index, ifindex, ULONG_MAX, XA_PRESENT);
}

const char *zcpair_netdev_name(const struct net_device *dev)
{
	return dev->name;
}

struct sk_buff *zcpair_genlmsg_new(void)
{
	return genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
}

void zcpair_genlmsg_end(struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
}

void zcpair_genlmsg_cancel(struct sk_buff *skb, void *hdr)
{
	genlmsg_cancel(skb, hdr);
}

int zcpair_genlmsg_reply(struct sk_buff *skb, struct genl_info *info)
{
	return genlmsg_reply(skb, info);
}

void zcpair_genlmsg_multicast_netns(const struct genl_family *family, struct net *net,
				    struct sk_buff *skb, unsigned int group)
{
	genlmsg_multicast_netns(family, net, skb, 0, group, GFP_KERNEL);
}

bool zcpair_genl_has_listeners(const struct genl_family *family, struct net *net,
			       unsigned int group)
{
	return genl_has_listeners(family, net, group);
}

void zcpair_nlmsg_free(struct sk_buff *skb)
{
	nlmsg_free(skb);
}

struct net *zcpair_genl_info_net(const struct genl_info *info)
{
	return genl_info_net(info);
}

struct net *zcpair_dump_net(const struct netlink_callback *cb)
{
	return sock_net(cb->skb->sk);
}

void *zcpair_genlmsg_put_dump(struct sk_buff *skb, const struct netlink_callback *cb,
			      const struct genl_family *family, u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq, family,
			   NLM_F_MULTI, cmd);
}

int zcpair_nla_put_u8(struct sk_buff *skb, int type, u8 value)
{
	return nla_put_u8(skb, type, value);
}

int zcpair_nla_put_u32(struct sk_buff *skb, int type, u32 value)
{
	return nla_put_u32(skb, type, value);
}

int zcpair_nla_put_s32(struct sk_buff *skb, int type, s32 value)
{
	return nla_put_s32(skb, type, value);
}

int zcpair_nla_put_uint(struct sk_buff *skb, int type, u64 value)
{
	return nla_put_uint(skb, type, value);
}

int zcpair_nla_put_string(struct sk_buff *skb, int type, const char *str)
{
	return nla_put_string(skb, type, str);
}

struct nlattr *zcpair_nla_nest_start(struct sk_buff *skb, int type)
{
	return nla_nest_start(skb, type);
}

void zcpair_nla_nest_end(struct sk_buff *skb, struct nlattr *nest)
{
	nla_nest_end(skb, nest);
}

void zcpair_nla_nest_cancel(struct sk_buff *skb, struct nlattr *nest)
{
	nla_nest_cancel(skb, nest);
}

void zcpair_netdev_hold(struct net_device *dev, netdevice_tracker *tracker)
{
	netdev_hold(dev, tracker, GFP_KERNEL);
}

void zcpair_netdev_put(struct net_device *dev, netdevice_tracker *tracker)
{
	netdev_put(dev, tracker);
}

const unsigned char *zcpair_netdev_addr(const struct net_device *dev)
{
	return dev->dev_addr;
}

unsigned int zcpair_netdev_mtu(const struct net_device *dev)
{
	return READ_ONCE(dev->mtu);
}

bool zcpair_netdev_is_ethernet(const struct net_device *dev)
{
	return dev->type == ARPHRD_ETHER && !(dev->flags & IFF_LOOPBACK);
}

int zcpair_dev_queue_xmit_on(struct sk_buff *skb, struct net_device *dev)
{
	int rc;

	skb->dev = dev;
	/* net_xmit_eval() evaluates its argument twice. */
	rc = dev_queue_xmit(skb);
	return net_xmit_eval(rc);
}

bool zcpair_netdev_rx_handler_is(const struct net_device *dev, rx_handler_func_t *handler)
{
	return rcu_access_pointer(dev->rx_handler) == handler;
}

bool zcpair_netdev_has_rx_handler(const struct net_device *dev)
{
	return rcu_access_pointer(dev->rx_handler) != NULL;
}

void *zcpair_netdev_rx_handler_data(const struct net_device *dev)
{
	return rcu_dereference_rtnl(dev->rx_handler_data);
}

/* What __dev_set_mtu() stores when a device has no ndo_change_mtu. */
void zcpair_netdev_set_mtu_field(struct net_device *dev, unsigned int mtu)
{
	WRITE_ONCE(dev->mtu, mtu);
}

struct net_device *zcpair_netdev_notifier_info_to_dev(void *info)
{
	return netdev_notifier_info_to_dev(info);
}

/* The device and local address of an inetaddr notifier's in_ifaddr. */
struct net_device *zcpair_ifa4(void *ptr, __be32 *addr)
{
	const struct in_ifaddr *ifa = ptr;

	*addr = ifa->ifa_local;
	return ifa->ifa_dev->dev;
}

/* The device and address of an inet6addr notifier's inet6_ifaddr. */
struct net_device *zcpair_ifa6(void *ptr, struct in6_addr *addr)
{
	const struct inet6_ifaddr *ifa = ptr;

	*addr = ifa->addr;
	return ifa->idev->dev;
}

const struct ethhdr *zcpair_skb_eth_hdr(const struct sk_buff *skb)
{
	return eth_hdr(skb);
}

bool zcpair_skb_is_loopback(const struct sk_buff *skb)
{
	return skb->pkt_type == PACKET_LOOPBACK;
}

struct sk_buff *zcpair_skb_share_check(struct sk_buff *skb)
{
	return skb_share_check(skb, GFP_ATOMIC);
}

void zcpair_skb_to_host(struct sk_buff *skb, struct net_device *dev)
{
	skb->dev = dev;
	skb->pkt_type = PACKET_HOST;
}

void zcpair_skb_set_dev(struct sk_buff *skb, struct net_device *dev)
{
	skb->dev = dev;
}

struct net_device *zcpair_skb_dev(const struct sk_buff *skb)
{
	return skb->dev;
}
