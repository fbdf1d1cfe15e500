/* Under a comma-decimal locale (de_DE.UTF-8, built here with localedef into a
 * private LOCPATH, so it needs no locale the machine happens to have), every
 * --msl and every decimal of the protocol is still read with a '.': the TUI
 * calls setlocale(LC_ALL, ""), and strtod would then read "0.5" as 0 (the
 * wire's TIME_WAIT fell back to 60 s). */
#include <locale.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "ctlmsg.h"
#include "evline.h"
#include "headless.h"

static void test_the_locale_is_really_comma_decimal(void)
{
	struct lconv *lc = localeconv();

	CHECK_STR_EQ(lc->decimal_point, ",");
	/* The hazard itself: strtod stops at the '.'. */
	CHECK(strtod("0.5", NULL) == 0.0);
}

static void test_msl_is_parsed_without_the_locale(void)
{
	int64_t ns = 0;
	char buf[CTLMSG_SECONDS_MAX];

	CHECK_INT_EQ(ctlmsg_parse_msl("0.5", &ns), 0);
	CHECK_INT_EQ(ns, 500000000);
	CHECK_INT_EQ(ctlmsg_parse_msl("0,5", &ns), -1);
	CHECK_INT_EQ(ctlmsg_parse_msl("2", &ns), 0);
	CHECK_INT_EQ(ns, 2000000000);
	CHECK_INT_EQ(ctlmsg_parse_msl("0.000000001", &ns), 0);
	CHECK_INT_EQ(ns, 1);
	CHECK_INT_EQ(ctlmsg_parse_msl("0.0000000001", &ns), -1);
	CHECK_INT_EQ(ctlmsg_parse_msl("0", &ns), -1);
	CHECK_INT_EQ(ctlmsg_parse_msl("86400", &ns), 0);
	CHECK_INT_EQ(ctlmsg_parse_msl("86400.000000001", &ns), -1);
	CHECK_INT_EQ(ctlmsg_parse_msl("1e3", &ns), -1);
	CHECK_INT_EQ(ctlmsg_parse_msl("-1", &ns), -1);
	CHECK_INT_EQ(ctlmsg_parse_msl("", &ns), -1);
	CHECK_INT_EQ(ctlmsg_parse_msl(".", &ns), -1);
	CHECK_INT_EQ(ctlmsg_parse_msl("99999999999999999999", &ns), -1);
	/* any range */
	CHECK_INT_EQ(ctlmsg_parse_seconds("1.5", 0, 2000000000, &ns), 0);
	CHECK_INT_EQ(ns, 1500000000);
	CHECK_INT_EQ(ctlmsg_parse_seconds("2.5", 0, 2000000000, &ns), -1);
	CHECK_INT_EQ(ctlmsg_parse_seconds("0", 0, 1, &ns), 0);
	CHECK_INT_EQ(ns, 0);
	/* what the session hands a node as --msl */
	ctlmsg_format_seconds(buf, 500000000);
	CHECK_STR_EQ(buf, "0.5");
	ctlmsg_format_seconds(buf, 2000000000);
	CHECK_STR_EQ(buf, "2");
	ctlmsg_format_seconds(buf, 1);
	CHECK_STR_EQ(buf, "0.000000001");
	ctlmsg_format_seconds(buf, 86400LL * 1000000000LL);
	CHECK_STR_EQ(buf, "86400");
}

static void test_headless_msl_option(void)
{
	struct headless_opts o;
	char *argv[] = { "demo", "--msl", "0.5", NULL };
	int i = 1;

	headless_init(&o);
	CHECK_INT_EQ(headless_parse(&o, "demo hello", 3, argv, &i), 1);
	CHECK_INT_EQ(o.cfg.msl_ns, 500000000);
}

static void test_protocol_decimals(void)
{
	char line[] = "clock 10 running 0.5 -";
	char text[EVLINE_TEXT_MAX];
	struct session_event ev = { .node = 0, .node_name = "server" };
	double d = 0;

	CHECK_INT_EQ(evline_parse(&ev, line, strlen(line), text), 0);
	CHECK(ev.u.clock.speed == 0.5);
	CHECK_INT_EQ(ctlmsg_parse_decimal("2.5", 0, 100, &d), 0);
	CHECK(d == 2.5);
}

static char dir[] = "/tmp/tcpstep-locale-XXXXXX";

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* de_DE.UTF-8 into dir, for LOCPATH. */
static void build_locale(void)
{
	char cmd[256], probe[128];
	struct stat st;

	if (system("command -v localedef >/dev/null 2>&1") != 0 ||
	    stat("/usr/share/i18n/locales/de_DE", &st) != 0)
		CHECK_SKIP("localedef and /usr/share/i18n/locales are missing "
			   "(Debian package locales; scripts/setup.sh installs it)");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	atexit(remove_dir);
	/* localedef exits 1 for mere warnings; the locale is there all the
	 * same. */
	snprintf(cmd, sizeof cmd,
		 "localedef -i de_DE -f UTF-8 '%s/de_DE.UTF-8' >/dev/null 2>&1",
		 dir);
	if (system(cmd) < 0) {
		perror("system");
		exit(1);
	}
	snprintf(probe, sizeof probe, "%s/de_DE.UTF-8/LC_NUMERIC", dir);
	if (stat(probe, &st) != 0) {
		fprintf(stderr, "localedef could not build de_DE.UTF-8\n");
		exit(1);
	}
	setenv("LOCPATH", dir, 1);
	setenv("LC_ALL", "de_DE.UTF-8", 1);
}

int main(void)
{
	build_locale();
	if (!setlocale(LC_ALL, "")) {
		fprintf(stderr, "setlocale(LC_ALL, \"\") failed: LC_ALL=%s "
			"LOCPATH=%s\n", getenv("LC_ALL") ? getenv("LC_ALL") : "",
			getenv("LOCPATH") ? getenv("LOCPATH") : "");
		return 1;
	}
	RUN(test_the_locale_is_really_comma_decimal);
	RUN(test_msl_is_parsed_without_the_locale);
	RUN(test_headless_msl_option);
	RUN(test_protocol_decimals);
	CHECK_EXIT();
}
