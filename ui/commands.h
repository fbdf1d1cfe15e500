/* The subcommands of the tcpstep binary. Each module that owns a command
 * declares its entry point here and adds a row to the table in main.c.
 * An entry point gets argv with argv[0] = the subcommand's name and returns
 * the process exit status (0 ok, 1 failure or bad input, 2 usage). */
#ifndef TCPSTEP_COMMANDS_H
#define TCPSTEP_COMMANDS_H

struct command {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);
};

#endif
