/* The article's server and client (docs/control-protocol.md "Apps") as lwIP raw-API
 * apps, in the shape of lwIP's src/apps/lwiperf/lwiperf.c: one state struct
 * per connection handed to callbacks with tcp_arg, one close path, the pcb
 * forgotten in the error callback (lwIP has freed it), and output through the
 * node (apps never print). */
#ifndef TCPSTEP_APPS_H
#define TCPSTEP_APPS_H

#include "node.h"

struct apps;

/* Starts the server or the client the node is configured for (nothing for
 * the manual mode). Returns NULL only when out of memory. */
struct apps *apps_start(struct node *n, enum node_app app);
void apps_destroy(struct apps *a);

#endif
