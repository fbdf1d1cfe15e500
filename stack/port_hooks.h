/* lwIP hook prototypes (included by lwIP's tcp.c through LWIP_HOOK_FILENAME,
 * see lwipopts.h). Implemented in port.c. */
#ifndef TCPSTEP_PORT_HOOKS_H
#define TCPSTEP_PORT_HOOKS_H

#include "lwip/ip_addr.h"

/* LWIP_HOOK_TCP_ISN: the initial sequence number for a new connection. */
u32_t port_tcp_isn(const ip_addr_t *local_ip, u16_t local_port,
		   const ip_addr_t *remote_ip, u16_t remote_port);

#endif
