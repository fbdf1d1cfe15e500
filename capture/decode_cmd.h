/* `tcpstep decode`: the decoder and tracker on a pcap file, standard input
 * or a live interface, printed as text, a summary, or JSON lines. */
#ifndef TCPSTEP_DECODE_CMD_H
#define TCPSTEP_DECODE_CMD_H

/* argv[0] is "decode". Returns 0 decoded, 1 bad input, 2 usage. */
int decode_cmd_main(int argc, char **argv);

#endif
