/* The simulator as a real Modbus TCP peer: starts pvrelief-sim on two free loopback ports from
 * a temporary configuration under a simulated clock, reads it with libmodbus as the daemon
 * would, and checks what it serves against the physics model and the control file. */
#include <errno.h>
#include <fcntl.h>
#include <modbus.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "loopback.h"
#include "physics.h"
#include "pvrelief/clock.h"
#include "pvrelief/config.h"
#include "pvrelief/errlist.h"
#include "pvrelief/regmap.h"
#include "pvrelief/sunspec.h"

#define RATE 10.0
#define START "2026-06-21 11:00:00+08:00"

static char dir[64], conf_path[128], ctl_path[128], ready_path[128];
static int port_a, port_b;
static struct config *cfg;
static struct clock *clk;
static pid_t sim_pid;

static void write_file(const char *path, const char *text)
{
	char tmp[160];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	fputs(text, f);
	fclose(f);
	rename(tmp, path);
}

static void write_config(void)
{
	const char *src = getenv("PVRELIEF_SOURCE_DIR");
	char text[4096];
	snprintf(
	    text, sizeof text,
	    "county = { id = \"t\"; name = \"t\"; utc_offset = 8; };\n"
	    "maps_dir = \"%s/conf/maps\";\n"
	    "database = { path = \"%s/t.db\"; };\n"
	    "towns = ( { id = \"tw\"; name = \"tw\"; villages = ( { id = \"v\"; name = \"v\"; } ); "
	    "} "
	    ");\n"
	    "stations = (\n"
	    " { id = \"st1\"; village = \"v\"; lat = 31.55; lon = 116.0; altitude = 150.0;\n"
	    "   capacity_kwp = 200.0; tilt = 25.0; azimuth = 180.0;\n"
	    "   devices = (\n"
	    "    { id = \"inv1\"; host = \"127.0.0.1\"; port = %d; unit = 1; protocol = "
	    "\"sunspec\"; "
	    "rated_power_w = 45000.0; },\n"
	    "    { id = \"inv2\"; host = \"127.0.0.1\"; port = %d; unit = 2; protocol = "
	    "\"sunspec\"; "
	    "rated_power_w = 45000.0; sim = { float_model = true; health = 0.5; }; },\n"
	    "    { id = \"met\"; role = \"sensor\"; host = \"127.0.0.1\"; port = %d; unit = 3; "
	    "protocol = \"sunspec\"; },\n"
	    "    { id = \"inv3\"; host = \"127.0.0.1\"; port = %d; unit = 4; protocol = "
	    "\"sungrow-sg\"; rated_power_w = 45000.0; },\n"
	    "    { id = \"inv4\"; host = \"127.0.0.1\"; port = %d; unit = 5; protocol = "
	    "\"huawei-sun2000\"; rated_power_w = 45000.0; }\n"
	    "   ); },\n"
	    " { id = \"st2\"; village = \"v\"; lat = 31.6; lon = 115.9; capacity_kwp = 60.0;\n"
	    "   devices = ( { id = \"inv1\"; host = \"127.0.0.1\"; port = %d; unit = 1; "
	    "protocol = \"sunspec\"; rated_power_w = 50000.0; } ); }\n"
	    ");\n",
	    src ? src : ".", dir, port_a, port_a, port_a, port_a, port_a, port_b);
	write_file(conf_path, text);
}

static int start_sim(double anchor)
{
	const char *bin = getenv("PVRELIEF_BINARY_DIR");
	char exe[512], anchor_text[32];
	snprintf(exe, sizeof exe, "%s/pvrelief-sim", bin ? bin : ".");
	snprintf(anchor_text, sizeof anchor_text, "%.0f", anchor);
	sim_pid = fork();
	if (sim_pid == 0) {
		execl(exe, exe, "-c", conf_path, "--clock-start", START, "--clock-rate", "10",
		      "--clock-anchor", anchor_text, "--control", ctl_path, "--ready-file",
		      ready_path, "-v", "info", (char *)NULL);
		perror(exe);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		if (access(ready_path, F_OK) == 0)
			return 0;
		int st;
		if (waitpid(sim_pid, &st, WNOHANG) == sim_pid) {
			sim_pid = 0;
			return -1;
		}
		usleep(50000);
	}
	return -1;
}

static modbus_t *open_unit(int port, int unit, double timeout_s)
{
	modbus_t *ctx = modbus_new_tcp("127.0.0.1", port);
	modbus_set_slave(ctx, unit);
	modbus_set_response_timeout(ctx, (uint32_t)timeout_s,
				    (uint32_t)((timeout_s - (int)timeout_s) * 1e6));
	if (modbus_connect(ctx) != 0) {
		modbus_free(ctx);
		return NULL;
	}
	return ctx;
}

static void close_unit(modbus_t *ctx)
{
	if (!ctx)
		return;
	modbus_close(ctx);
	modbus_free(ctx);
}

static int read_holding(void *ctx, uint16_t addr, uint16_t count, uint16_t *dest)
{
	return modbus_read_registers(ctx, addr, count, dest) == count ? 0 : -1;
}

/* Reads a SunSpec device's inverter or sensor models into *r; returns 0 or -1. */
static int read_sunspec(int port, int unit, struct reading *r)
{
	memset(r, 0, sizeof *r);
	modbus_t *ctx = open_unit(port, unit, 1.0);
	if (!ctx)
		return -1;
	struct sunspec_map map;
	int rc = sunspec_discover(read_holding, ctx, &map);
	for (size_t i = 0; rc == 0 && i < map.n; i++) {
		uint16_t block[256];
		int n = sunspec_read_model(read_holding, ctx, &map.models[i], block, 256);
		if (n < 0) {
			rc = -1;
			break;
		}
		if (map.models[i].id != 1 && map.models[i].id != 160)
			sunspec_decode_block(block, (size_t)n, r);
	}
	close_unit(ctx);
	return rc == 0 ? 0 : -1;
}

/* Reads a vendor-map device as the map says; returns 0 or -1. */
static int read_vendor(int port, int unit, const struct regmap *map, struct reading *r)
{
	memset(r, 0, sizeof *r);
	modbus_t *ctx = open_unit(port, unit, 1.0);
	if (!ctx)
		return -1;
	struct regmap_block blocks[16];
	int nb = regmap_blocks(map, blocks, 16);
	uint16_t data[16 * 125];
	size_t at = 0;
	int rc = nb > 0 ? 0 : -1;
	for (int i = 0; rc == 0 && i < nb; i++) {
		int n = map->function == 4 ? modbus_read_input_registers(ctx, blocks[i].addr,
									 blocks[i].count, data + at)
					   : modbus_read_registers(ctx, blocks[i].addr,
								   blocks[i].count, data + at);
		if (n != blocks[i].count)
			rc = -1;
		at += blocks[i].count;
	}
	if (rc == 0)
		rc = regmap_decode(map, blocks, (size_t)nb, data, r);
	close_unit(ctx);
	return rc;
}

static const struct config_device *device(const char *station, const char *id)
{
	const struct config_station *st = config_station_find(cfg, station);
	for (size_t i = 0; st && i < st->n_devices; i++)
		if (strcmp(st->devices[i].id, id) == 0)
			return &st->devices[i];
	return NULL;
}

/* Checks a served power against the model at the clock time of the read. */
static void check_power(const struct reading *r, const char *station, const char *id, double health)
{
	const struct config_station *st = config_station_find(cfg, station);
	double want = physics_device_ac_w(cfg, st, device(station, id), health, clock_now(clk));
	CHECK(reading_has(r, RF_POWER_W));
	CHECK(want > 5000);
	/* The simulator updates every 200 ms (2 clock seconds here) and rounds to its scale. */
	CHECK_NEAR(r->value[RF_POWER_W], want, 0.01 * want + 10);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Writes the control file and waits until the simulator has surely read it (it looks every
 * second; gateways notice within half a second). */
static void control(const char *text)
{
	write_file(ctl_path, text);
	usleep(1700 * 1000);
}

static void test_serving(void)
{
	struct reading r;
	CHECK_INT(read_sunspec(port_a, 1, &r), 0);
	check_power(&r, "st1", "inv1", 1.0);
	CHECK_INT(r.state, INV_STATE_MPPT);
	CHECK(reading_has(&r, RF_ENERGY_TOTAL_WH) && r.value[RF_ENERGY_TOTAL_WH] > 1e8);
	CHECK_NEAR(r.value[RF_RATED_POWER_W], 45000, 1e-6);

	/* Float model 113, soiled to half health in the configuration. */
	CHECK_INT(read_sunspec(port_a, 2, &r), 0);
	check_power(&r, "st1", "inv2", 0.5);

	CHECK_INT(read_sunspec(port_a, 3, &r), 0);
	struct physics_env env;
	physics_env(config_station_find(cfg, "st1"), cfg->efficiency.linke_turbidity,
		    cfg->utc_offset_s, clock_now(clk), &env);
	CHECK(reading_has(&r, RF_POA_W_M2) && reading_has(&r, RF_GHI_W_M2));
	CHECK_NEAR(r.value[RF_POA_W_M2], env.poa_w_m2, 0.01 * env.poa_w_m2 + 1);
	CHECK_NEAR(r.value[RF_GHI_W_M2], env.ghi_w_m2, 0.01 * env.ghi_w_m2 + 1);
	CHECK_NEAR(r.value[RF_AIR_TEMP_C], env.air_temp_c, 0.2);

	/* Vendor maps: Sungrow (input registers, low word first) and Huawei (holding). */
	const struct config_device *sg = device("st1", "inv3");
	CHECK(sg && sg->map);
	if (sg && sg->map) {
		CHECK_INT(read_vendor(port_a, 4, sg->map, &r), 0);
		check_power(&r, "st1", "inv3", 1.0);
		CHECK_INT(r.state, INV_STATE_MPPT);
	}
	const struct config_device *hw = device("st1", "inv4");
	CHECK(hw && hw->map);
	if (hw && hw->map) {
		CHECK_INT(read_vendor(port_a, 5, hw->map, &r), 0);
		check_power(&r, "st1", "inv4", 1.0);
	}

	/* A unit the gateway does not have: exception 0x0B at once. */
	modbus_t *ctx = open_unit(port_a, 9, 1.0);
	uint16_t regs[2];
	CHECK(ctx && modbus_read_registers(ctx, 40000, 2, regs) == -1 && errno == EMBXGTAR);
	close_unit(ctx);
}

struct delayed {
	int reads_ok;
	double max_ms, min_ms;
};

static void *delayed_reader(void *arg)
{
	struct delayed *d = arg;
	d->min_ms = 1e9;
	modbus_t *ctx = open_unit(port_b, 1, 2.0);
	for (int i = 0; ctx && i < 4; i++) {
		uint16_t regs[2];
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (modbus_read_registers(ctx, 40000, 2, regs) == 2)
			d->reads_ok++;
		double ms = ms_since(&t0);
		d->max_ms = ms > d->max_ms ? ms : d->max_ms;
		d->min_ms = ms < d->min_ms ? ms : d->min_ms;
	}
	close_unit(ctx);
	return NULL;
}

static void test_faults(void)
{
	struct reading r;
	uint16_t regs[2];

	/* offline: no answer, while the other gateway keeps answering. */
	control("# one device stops answering\nst1/inv1 offline\n");
	modbus_t *ctx = open_unit(port_a, 1, 0.8);
	CHECK(ctx && modbus_read_registers(ctx, 40000, 2, regs) == -1 && errno == ETIMEDOUT);
	close_unit(ctx);
	CHECK_INT(read_sunspec(port_b, 1, &r), 0);
	CHECK_INT(read_sunspec(port_a, 2, &r), 0);

	/* delay 300: about 300 ms per reply on that gateway; the other gateway stays fast. */
	control("st2/inv1 delay 300\n");
	struct delayed d = {0};
	pthread_t th;
	pthread_create(&th, NULL, delayed_reader, &d);
	ctx = open_unit(port_a, 1, 1.0);
	double fast_max = 0;
	for (int i = 0; ctx && i < 8; i++) {
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		CHECK_INT(modbus_read_registers(ctx, 40000, 2, regs), 2);
		double ms = ms_since(&t0);
		fast_max = ms > fast_max ? ms : fast_max;
		usleep(50000);
	}
	close_unit(ctx);
	pthread_join(th, NULL);
	CHECK_INT(d.reads_ok, 4);
	/* Only bounds that load cannot break: a delayed reply is never early, and the other
	 * gateway answers while the delayed one waits (it is not queued behind it). */
	CHECK(d.min_ms >= 290);
	CHECK(fast_max < 290);

	/* reset: the lifetime counter drops to about 0 and climbs from there. */
	CHECK_INT(read_sunspec(port_a, 1, &r), 0);
	double before = r.value[RF_ENERGY_TOTAL_WH];
	control("st1/inv1 reset\n");
	CHECK_INT(read_sunspec(port_a, 1, &r), 0);
	CHECK(before > 1e8);
	CHECK(r.value[RF_ENERGY_TOTAL_WH] < 1000);

	/* fault: SunSpec St FAULT with the given Evt1 bits and no power; vendor map fault code. */
	control("st1/inv1 reset\nst1/inv1 fault 0x80\nst1/inv3 fault\n");
	CHECK_INT(read_sunspec(port_a, 1, &r), 0);
	CHECK_INT(r.state, INV_STATE_FAULT);
	CHECK_INT(r.events, 0x80);
	CHECK_NEAR(r.value[RF_POWER_W], 0, 0);
	const struct config_device *sg = device("st1", "inv3");
	if (sg && sg->map) {
		CHECK_INT(read_vendor(port_a, 4, sg->map, &r), 0);
		CHECK_INT(r.state, INV_STATE_FAULT);
		CHECK(reading_has(&r, RF_FAULT_CODE) && r.fault_code != 0);
	}

	/* garbage and sentinel. */
	control("st1/inv1 garbage\nst1/inv2 sentinel\n");
	CHECK_INT(read_sunspec(port_a, 1, &r), 0);
	CHECK(r.value[RF_POWER_W] > 1.2 * 45000);
	CHECK(r.value[RF_ENERGY_TOTAL_WH] > 1e9);
	CHECK_INT(read_sunspec(port_a, 2, &r), 0);
	CHECK(!reading_has(&r, RF_POWER_W) && (r.sentinel & 1u << RF_POWER_W));

	/* gateway down refuses connections; removing the line brings it back. */
	char text[64];
	snprintf(text, sizeof text, "gateway %d down\n", port_b);
	control(text);
	ctx = open_unit(port_b, 1, 0.5);
	CHECK(ctx == NULL);
	close_unit(ctx);
	snprintf(text, sizeof text, "gateway %d hang\n", port_b);
	control(text);
	ctx = open_unit(port_b, 1, 0.5);
	CHECK(ctx && modbus_read_registers(ctx, 40000, 2, regs) == -1 && errno == ETIMEDOUT);
	close_unit(ctx);

	/* An empty file clears everything; a bad line is ignored, not fatal. */
	control("st1/inv1 explode\nnowhere/inv1 offline\n");
	CHECK_INT(read_sunspec(port_b, 1, &r), 0);
	CHECK_INT(read_sunspec(port_a, 1, &r), 0);
	CHECK_INT(r.state, INV_STATE_MPPT);
	check_power(&r, "st1", "inv1", 1.0);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/pvrelief-sim-test.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(conf_path, sizeof conf_path, "%s/sim.conf", dir);
	snprintf(ctl_path, sizeof ctl_path, "%s/control", dir);
	snprintf(ready_path, sizeof ready_path, "%s/ready", dir);
	port_a = loopback_free_port();
	do
		port_b = loopback_free_port();
	while (port_b == port_a);
	write_config();

	struct errlist errs = {0};
	cfg = config_load(conf_path, &errs);
	if (!cfg) {
		char *msg = errlist_join(&errs);
		fprintf(stderr, "%s\n", msg);
		free(msg);
		return 1;
	}
	double start;
	config_parse_time(START, &start);
	double anchor = floor(clock_wall_now());
	clk = clock_new_simulated(start, RATE, anchor);

	CHECK_INT(start_sim(anchor), 0);
	if (sim_pid > 0) {
		test_serving();
		test_faults();
		kill(sim_pid, SIGTERM);
		int status = 0;
		waitpid(sim_pid, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		CHECK(access(ready_path, F_OK) != 0);
	}

	unlink(conf_path);
	unlink(ctl_path);
	rmdir(dir);
	clock_free(clk);
	config_free(cfg);
	errlist_clear(&errs);
	return check_summary();
}
