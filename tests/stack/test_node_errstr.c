/* node_err_str: every lwIP err_t gets a text the controller can show. lwIP's
 * own lwip_strerr() is "" without LWIP_DEBUG (lwip/err.h), which left
 * `error listen-failed ` with nothing after it. */
#include "../check.h"
#include "node.h"

/* lwIP 2.1.3 lwip/err.h: ERR_OK (0) down to ERR_ARG (-16), with the meaning
 * of src/api/err.c's err_strerr table */
static const struct {
	err_t err;
	const char *name;
	const char *meaning;
} errs[] = {
	{ ERR_OK, "ERR_OK", "no error" },
	{ ERR_MEM, "ERR_MEM", "out of memory" },
	{ ERR_BUF, "ERR_BUF", "buffer error" },
	{ ERR_TIMEOUT, "ERR_TIMEOUT", "timeout" },
	{ ERR_RTE, "ERR_RTE", "routing problem" },
	{ ERR_INPROGRESS, "ERR_INPROGRESS", "operation in progress" },
	{ ERR_VAL, "ERR_VAL", "illegal value" },
	{ ERR_WOULDBLOCK, "ERR_WOULDBLOCK", "operation would block" },
	{ ERR_USE, "ERR_USE", "address in use" },
	{ ERR_ALREADY, "ERR_ALREADY", "already connecting" },
	{ ERR_ISCONN, "ERR_ISCONN", "already connected" },
	{ ERR_CONN, "ERR_CONN", "not connected" },
	{ ERR_IF, "ERR_IF", "low-level netif error" },
	{ ERR_ABRT, "ERR_ABRT", "connection aborted" },
	{ ERR_RST, "ERR_RST", "connection reset" },
	{ ERR_CLSD, "ERR_CLSD", "connection closed" },
	{ ERR_ARG, "ERR_ARG", "illegal argument" },
};

static void test_every_err_t_has_its_meaning_and_name(void)
{
	size_t n = sizeof errs / sizeof errs[0];

	/* the table covers every value lwIP defines, once */
	CHECK_INT_EQ(n, 17);
	for (size_t i = 0; i < n; i++) {
		CHECK_INT_EQ(errs[i].err, -(int)i);
		const char *s = node_err_str(errs[i].err);
		CHECK(s != NULL && s[0] != '\0');
		if (!s)
			continue;
		if (strncmp(s, errs[i].meaning, strlen(errs[i].meaning)) != 0) {
			fprintf(stderr, "  %s: \"%s\" does not start with \"%s\"\n",
				errs[i].name, s, errs[i].meaning);
			CHECK(!"meaning");
		}
		/* the whole name, followed by ',' or ')' */
		char want[32];
		snprintf(want, sizeof want, "lwIP %s", errs[i].name);
		const char *at = strstr(s, want);
		CHECK(at != NULL && (at[strlen(want)] == ',' || at[strlen(want)] == ')'));
	}
}

static void test_errno_names_for_socket_programmers(void)
{
	CHECK_STR_EQ(node_err_str(ERR_USE), "address in use (lwIP ERR_USE, EADDRINUSE)");
	CHECK_STR_EQ(node_err_str(ERR_CONN), "not connected (lwIP ERR_CONN, ENOTCONN)");
	CHECK_STR_EQ(node_err_str(ERR_RST), "connection reset (lwIP ERR_RST, ECONNRESET)");
	CHECK_STR_EQ(node_err_str(ERR_RTE), "routing problem (lwIP ERR_RTE, EHOSTUNREACH)");
}

static void test_texts_are_distinct(void)
{
	size_t n = sizeof errs / sizeof errs[0];

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			CHECK(strcmp(node_err_str(errs[i].err), node_err_str(errs[j].err)) != 0);
}

static void test_values_lwip_does_not_define_are_not_empty(void)
{
	CHECK_STR_EQ(node_err_str(1), "unknown lwIP error");
	CHECK_STR_EQ(node_err_str(-17), "unknown lwIP error");
	CHECK_STR_EQ(node_err_str(-128), "unknown lwIP error");
}

int main(void)
{
	RUN(test_every_err_t_has_its_meaning_and_name);
	RUN(test_errno_names_for_socket_programmers);
	RUN(test_texts_are_distinct);
	RUN(test_values_lwip_does_not_define_are_not_empty);
	CHECK_EXIT();
}
