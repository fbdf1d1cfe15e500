/* `tcpstep decode`: the decoder and tracker on a pcap file, standard input
 * or a live interface, printed as text, a summary, or JSON lines. */
#ifndef TCPSTEP_CMD_DECODE_H
#define TCPSTEP_CMD_DECODE_H

/* argv[0] is "decode". Returns 0 decoded, 1 bad input, 2 usage. */
int cmd_decode_main(int argc, char **argv);

#endif
