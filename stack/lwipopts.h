/* lwIP 2.1.3 configuration for a tcpstep node (see lwip/opt.h for every
 * option's meaning and default). Each option here is set on purpose; what is
 * not listed keeps lwIP's default, which is what we want for it.
 *
 * A node is one process, one thread, one Ethernet netif on a TAP device,
 * IPv4 only, raw API, timers driven from our own poll loop and a virtual
 * clock (stack/vclock.h, stack/port.c). */
#ifndef TCPSTEP_LWIPOPTS_H
#define TCPSTEP_LWIPOPTS_H

/* --- System ------------------------------------------------------------- */

/* No OS layer: no threads, mailboxes or semaphores. Timers run from our main
 * loop through sys_check_timeouts() (doc/NO_SYS_SampleCode.c). */
#define NO_SYS 1
#define LWIP_TIMERS 1
/* One thread and no interrupts, so no critical sections are needed. */
#define SYS_LIGHTWEIGHT_PROT 0
/* Only the raw (callback) API: the sequential and socket APIs need threads. */
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_CALLBACK_API 1
/* Exposes the timeout list (sys_timeouts_get_next_timeout) so a node can tell
 * which timer "advance" fires (TCP, ARP or an app's). In lwIP 2.1.3 this flag
 * changes nothing else (grep LWIP_TESTMODE src/: timeouts.c/.h only). */
#define LWIP_TESTMODE 1

/* --- Memory -------------------------------------------------------------- */

/* lwIP's own heap and pools, not malloc: pools are what a load test exhausts,
 * and lwIP degrades gracefully when they run out (SYNs dropped, tcp_write
 * returns ERR_MEM), which is the behaviour to show. */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
/* lwIP's default of 1 would let its heap and pools place structs holding
 * pointers and 64-bit values at unaligned addresses (undefined behaviour in
 * C, and slow); 8 suits every type lwIP stores on x86-64 and arm64. */
#define MEM_ALIGNMENT 8
/* Heap for outgoing segment data (PBUF_RAM): TCP_SND_BUF for a few busy
 * connections plus headers. */
#define MEM_SIZE (64 * 1024)
/* Incoming frames are copied from the TAP into pool pbufs. */
#define PBUF_POOL_SIZE 64
/* Connections: enough for a classroom (dozens of clients), small enough that
 * a bounded load test (200 connections) runs the pool dry and shows lwIP
 * refusing gracefully. */
#define MEMP_NUM_TCP_PCB 32
/* A few listeners for the manual playground (listen PORT commands). */
#define MEMP_NUM_TCP_PCB_LISTEN 8
/* Segments queued for sending or out of order, across all connections. */
#define MEMP_NUM_TCP_SEG 128
/* Packets waiting for an ARP reply (ARP_QUEUEING). */
#define MEMP_NUM_ARP_QUEUE 16
/* Timeouts: lwIP's own (TCP + ARP; no reassembly, DHCP, ...) plus the apps':
 * each connection has at most one app timer pending (the server's 1 s or
 * 5 s wait) and the client has at most one (connect retry), so
 * MEMP_NUM_TCP_PCB + 1 covers the apps by construction. sys_timeout()
 * asserts if this pool runs dry, so the apps never exceed that budget. */
#define TCPSTEP_APP_TIMEOUTS (MEMP_NUM_TCP_PCB + 1)
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + TCPSTEP_APP_TIMEOUTS)

/* --- Link and network layer ---------------------------------------------- */

#define LWIP_IPV4 1
#define LWIP_IPV6 0 /* the lesson network is IPv4 (192.0.2.0/24) */
#define LWIP_ETHERNET 1
#define LWIP_ARP 1
/* Queue packets while ARP resolves, so the first SYN is not lost (with 0,
 * only the newest packet per destination is kept). */
#define ARP_QUEUEING 1
/* No fragmentation on a 1500-byte bridge, and no reassembly timer ticking
 * through the lesson: the only periodic lwIP timers left are TCP's (only
 * while connections exist) and ARP's. */
#define IP_REASSEMBLY 0
#define IP_FRAG 0
#define LWIP_ICMP 1 /* answer ping: a quick check that a node is alive */
#define LWIP_RAW 0
#define LWIP_UDP 0
#define LWIP_DHCP 0    /* static addresses from the command line */
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
/* A node talks to others over the bridge, never to itself. */
#define LWIP_NETIF_LOOPBACK 0
#define LWIP_HAVE_LOOPIF 0
#define LWIP_SINGLE_NETIF 1
/* Checksums generated and checked in software: TAP frames carry complete
 * checksums (no IFF_VNET_HDR offload), and a broken one must be dropped as a
 * real host would. */
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_TCP 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_TCP 1

/* --- TCP ------------------------------------------------------------------ */

#define LWIP_TCP 1
#define TCP_MSS 1460
/* Small windows keep sequence/ack numbers easy to follow in a lesson and
 * are plenty for text messages. */
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
/* Keep out-of-order segments (a "drop next inbound frame" lesson then shows
 * the hole being filled by the retransmission). */
#define TCP_QUEUE_OOSEQ 1
/* No accept queue: the accept callback runs when the handshake completes
 * (tcp_in.c, tcp_process SYN_RCVD). The apps keep their own queue where the
 * article's sequential server needs one. */
#define TCP_LISTEN_BACKLOG 0
/* Plain segments, like the article's era: no timestamps, window scaling or
 * SACK options to explain. */
#define LWIP_TCP_TIMESTAMPS 0
#define LWIP_WND_SCALE 0
#define LWIP_TCP_SACK_OUT 0
#define LWIP_TCP_KEEPALIVE 0
/* The TCP timer interval. lwIP's default is 250 ms, and delayed ACKs go out
 * on the next fast tick, i.e. up to 250 ms late. Linux's minimum RTO is
 * 200 ms (TCP_RTO_MIN), so a kernel peer would retransmit its first data
 * segment before lwIP's delayed ACK, filling the lesson with spurious
 * retransmissions. 100 ms keeps the delayed ACK below 200 ms; the slow timer
 * (RTO, TIME_WAIT, FIN_WAIT_2) then ticks every 200 ms (tcp_priv.h,
 * TCP_SLOW_INTERVAL = 2 * TCP_TMR_INTERVAL), so TIME_WAIT ends within
 * 200 ms of 2 x MSL. */
#define TCP_TMR_INTERVAL 100
/* MSL is a run-time setting (--msl), so TIME_WAIT (2 x MSL, tcp.c
 * tcp_slowtmr) can be short in class. Milliseconds; set by port.c. A mutable
 * global because lwIP reads TCP_MSL as a macro. */
extern unsigned long port_tcp_msl_ms;
#define TCP_MSL port_tcp_msl_ms
/* ISNs from our hook (RFC 6528 style, seeded): see port.c. The prototype is
 * in port_hooks.h, which lwIP's tcp.c includes through LWIP_HOOK_FILENAME. */
#define LWIP_HOOK_FILENAME "port_hooks.h"
#define LWIP_HOOK_TCP_ISN port_tcp_isn
/* Seeded randomness (--seed): lwIP uses it for the first ephemeral port
 * (tcp.c tcp_init). Declared here because lwIP expands LWIP_RAND() in files
 * that do not include the hook file. */
unsigned int port_rand(void);
#define LWIP_RAND() ((u32_t)port_rand())

/* --- Diagnostics ----------------------------------------------------------- */

/* No statistics or debug output: nodes report through the control protocol.
 * Assertions stay on (cc.h): a broken invariant must stop the node loudly
 * (the controller then reports the node's death) rather than corrupt it. */
#define LWIP_STATS 0
/* LWIP_DEBUG stays undefined: lwIP tests it with #ifdef, so even 0 would
 * enable debug code. */
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0

#endif
