#include "../check.h"
#include "tcpstate.h"
#include "textesc.h"

static void test_state_names_round_trip(void)
{
	for (int i = 0; i < TCPSTATE_COUNT; i++) {
		enum tcpstate s;
		CHECK_INT_EQ(tcpstate_from_str(tcpstate_to_str((enum tcpstate)i), &s), 0);
		CHECK_INT_EQ(s, i);
	}
	CHECK_STR_EQ(tcpstate_to_str(TCPSTATE_FIN_WAIT_1), "FIN_WAIT_1");
	CHECK_STR_EQ(tcpstate_to_str(TCPSTATE_COUNT), "?");
	enum tcpstate s;
	CHECK_INT_EQ(tcpstate_from_str("ESTABLISHED ", &s), -1);
}

static void test_escape_controls(void)
{
	char out[64];
	size_t n = textesc_escape(out, sizeof out, "a\x1b[2J\tb\\\r\n", 10, 0);
	CHECK_STR_EQ(out, "a\\x1b[2J\\tb\\\\\\r\\n");
	CHECK_INT_EQ(n, strlen(out));
	textesc_escape(out, sizeof out, "line\n", 5, 1);
	CHECK_STR_EQ(out, "line\n");
	textesc_escape(out, sizeof out, "\x7f\x00", 2, 0);
	CHECK_STR_EQ(out, "\\x7f\\x00");
}

static void test_escape_utf8(void)
{
	char out[64];
	/* Japanese from the article passes through; C1 (U+009B, CSI) and
	 * malformed or overlong sequences are escaped byte by byte. */
	const char *ja = "\xe5\x8f\x97\xe4\xbb\x98";
	textesc_escape(out, sizeof out, ja, strlen(ja), 0);
	CHECK_STR_EQ(out, ja);
	textesc_escape(out, sizeof out, "\xc2\x9b", 2, 0);
	CHECK_STR_EQ(out, "\\xc2\\x9b");
	textesc_escape(out, sizeof out, "\xc0\xaf", 2, 0);
	CHECK_STR_EQ(out, "\\xc0\\xaf");
	textesc_escape(out, sizeof out, "\xe5\x8f", 2, 0);
	CHECK_STR_EQ(out, "\\xe5\\x8f");
}

static void test_escape_cut_never_mid_escape(void)
{
	char out[6];
	size_t n = textesc_escape(out, sizeof out, "ab\x01" "cd", 5, 0);
	CHECK_STR_EQ(out, "ab");
	CHECK_INT_EQ(n, 8);
	CHECK_INT_EQ(textesc_escape(NULL, 0, "\x01", 1, 0), 4);
}

int main(void)
{
	RUN(test_state_names_round_trip);
	RUN(test_escape_controls);
	RUN(test_escape_utf8);
	RUN(test_escape_cut_never_mid_escape);
	CHECK_EXIT();
}
