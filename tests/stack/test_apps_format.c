/* The article apps' text (stack/appfmt.c), compared with the Go programs'
 * output as the article shows it (docs/control-protocol.md "Apps"), with tcpstep's
 * addresses in place of 127.0.0.1. */
#include "../check.h"
#include "appfmt.h"

#define SERVER 0xc0000202u /* 192.0.2.2 */
#define CLIENT 0xc0000203u /* 192.0.2.3 */

static void test_server_startup_line(void)
{
	char out[128];
	size_t n = appfmt_listening(out, sizeof out, SERVER, 8888);

	CHECK_STR_EQ(out, "192.0.2.2:8888で受付開始しました\n");
	CHECK_INT_EQ(n, strlen(out));
}

static void test_server_remote_and_message(void)
{
	char out[2048];

	appfmt_remote(out, sizeof out, CLIENT, 49152);
	CHECK_STR_EQ(out, "[Remote Address]\n192.0.2.3:49152\n");

	/* printed as received, no newline added */
	const char *msg = "Hello, 192.0.2.2:8888\n";
	appfmt_message(out, sizeof out, msg, strlen(msg));
	CHECK_STR_EQ(out, "[Message]\nHello, 192.0.2.2:8888\n");
	appfmt_message(out, sizeof out, "hi", 2);
	CHECK_STR_EQ(out, "[Message]\nhi");
	appfmt_message(out, sizeof out, "", 0);
	CHECK_STR_EQ(out, "[Message]\n");
}

static void test_message_is_one_read_of_at_most_1024_bytes(void)
{
	static char big[3000], out[4096];

	memset(big, 'x', sizeof big);
	size_t n = appfmt_message(out, sizeof out, big, sizeof big);
	CHECK_INT_EQ(n, strlen("[Message]\n") + 1024);
	CHECK_INT_EQ(strlen(out), n);

	n = appfmt_reply(out, sizeof out, big, sizeof big);
	CHECK_INT_EQ(n, 1024 + 1);
	CHECK(out[1023] == 'x' && out[1024] == '\n');
}

static void test_message_keeps_nul_bytes(void)
{
	char out[64];
	size_t n = appfmt_message(out, sizeof out, "a\0b", 3);

	CHECK_INT_EQ(n, 13);
	CHECK(memcmp(out, "[Message]\na\0b", 13) == 0);
}

static void test_hello_and_client_reply(void)
{
	char out[128];

	/* the client greets the server's address ... */
	appfmt_hello(out, sizeof out, SERVER, 8888);
	CHECK_STR_EQ(out, "Hello, 192.0.2.2:8888\n");
	/* ... the server answers with the client's */
	appfmt_hello(out, sizeof out, CLIENT, 49152);
	CHECK_STR_EQ(out, "Hello, 192.0.2.3:49152\n");
	/* fmt.Println adds a newline to the reply, which ends in one */
	const char *reply = "Hello, 192.0.2.3:49152\n";
	appfmt_reply(out, sizeof out, reply, strlen(reply));
	CHECK_STR_EQ(out, "Hello, 192.0.2.3:49152\n\n");
	appfmt_reply(out, sizeof out, "", 0);
	CHECK_STR_EQ(out, "\n");
}

static void test_fatal_messages_like_go_log(void)
{
	char msg[128], out[256];
	struct tm tm = { .tm_year = 2018 - 1900, .tm_mon = 0, .tm_mday = 2,
			 .tm_hour = 3, .tm_min = 4, .tm_sec = 5 };

	appfmt_connect_failed(msg, sizeof msg, SERVER, 8888);
	CHECK_STR_EQ(msg, "tcp://192.0.2.2:8888に接続できませんでした");
	appfmt_fatal(out, sizeof out, &tm, msg);
	CHECK_STR_EQ(out, "2018/01/02 03:04:05 tcp://192.0.2.2:8888に接続できませんでした\n");

	appfmt_listen_failed(msg, sizeof msg, SERVER, 8888);
	CHECK_STR_EQ(msg, "tcp://192.0.2.2:8888のリッスンに失敗しました");
	CHECK_STR_EQ(appfmt_accept_failed, "コネクションを確立できませんでした");

	/* no second newline if the message has one */
	appfmt_fatal(out, sizeof out, &tm, "x\n");
	CHECK_STR_EQ(out, "2018/01/02 03:04:05 x\n");
}

static void test_cut_output_stays_terminated(void)
{
	char out[8];
	size_t n = appfmt_hello(out, sizeof out, SERVER, 8888);

	CHECK_INT_EQ(n, strlen("Hello, 192.0.2.2:8888\n"));
	CHECK_STR_EQ(out, "Hello, ");
	n = appfmt_remote(out, 0, CLIENT, 1);
	CHECK(n > 0);
}

int main(void)
{
	RUN(test_server_startup_line);
	RUN(test_server_remote_and_message);
	RUN(test_message_is_one_read_of_at_most_1024_bytes);
	RUN(test_message_keeps_nul_bytes);
	RUN(test_hello_and_client_reply);
	RUN(test_fatal_messages_like_go_log);
	RUN(test_cut_output_stays_terminated);
	CHECK_EXIT();
}
