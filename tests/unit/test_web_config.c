/* The web group of the configuration: defaults, range checks and the rules that tie keys
 * together, reported as file:line like every other key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pvrelief/config.h"

static const char *base = "county = { id = \"c\"; };\n"
			  "towns = ( { id = \"t\"; villages = ( { id = \"v\"; } ); } );\n"
			  "stations = ( { id = \"s\"; village = \"v\"; lat = 31.6; lon = 115.9; "
			  "capacity_kwp = 60.0; devices = ( { id = \"i\"; host = \"127.0.0.1\"; "
			  "port = 1502; unit = 1; } ); } );\n";

static struct config *load(const char *web, char **errs)
{
	char path[] = "/tmp/test_web_config.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "%s%s\n", base, web);
	fclose(f);
	struct errlist e = {0};
	struct config *cfg = config_load(path, &e);
	*errs = errlist_join(&e);
	errlist_clear(&e);
	unlink(path);
	return cfg;
}

int main(void)
{
	char *errs;
	struct config *cfg = load("", &errs);
	CHECK(cfg != NULL);
	if (cfg) {
		CHECK_STR(cfg->web.address, "127.0.0.1");
		CHECK_INT(cfg->web.port, 8470);
		CHECK_INT(cfg->web.read_requires_login, 0);
		CHECK_STR(cfg->web.users_file, "");
		CHECK_INT(cfg->web.session_minutes, 480);
		CHECK_INT(cfg->web.login_attempts, 5);
		CHECK_STR(cfg->web.hub_database, "");
	}
	config_free(cfg);
	free(errs);
	cfg = load("web = { address = \"::1\"; port = 443; read_requires_login = true; "
		   "users_file = \"users\"; tls_cert_file = \"c.pem\"; tls_key_file = \"k.pem\"; "
		   "hub_database = \"hub.db\"; };",
		   &errs);
	CHECK(cfg != NULL);
	if (cfg) {
		CHECK_STR(cfg->web.address, "::1");
		CHECK_INT(cfg->web.port, 443);
		CHECK_INT(cfg->web.read_requires_login, 1);
		CHECK_STR(cfg->web.tls_key_file, "k.pem");
		CHECK_STR(cfg->web.hub_database, "hub.db");
	}
	config_free(cfg);
	free(errs);
	static const struct {
		const char *web, *msg;
	} bad[] = {
	    {"web = { port = 0; };", "web: port = 0 is out of range 1..65535"},
	    {"web = { port = 80.5; };", "\"port\" must be a whole number"},
	    {"web = { address = \"localhost\"; };", "is not a numeric IPv4 or IPv6 address"},
	    {"web = { tls_cert_file = \"c.pem\"; };", "tls_cert_file and tls_key_file go together"},
	    {"web = { session_minutes = 1; };", "session_minutes = 1 is out of range 5..10080 min"},
	    {"web = { login_attempts = 0; };", "login_attempts = 0 is out of range 1..100"},
	    {"web = { read_requires_login = 1; };",
	     "\"read_requires_login\" must be true or false"},
	    {"web = { listen = \"x\"; };", "unknown key \"listen\" in web"},
	    {"web = { hub_database = 1; };", "\"hub_database\" must be a string"},
	    {"web = { max_clients = 2; };", "max_clients = 2 is out of range 4..1000"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cfg = load(bad[i].web, &errs);
		CHECK(cfg == NULL);
		CHECK_CONTAINS(errs, bad[i].msg);
		CHECK_CONTAINS(errs, ":4: ");
		config_free(cfg);
		free(errs);
	}
	return check_summary();
}
