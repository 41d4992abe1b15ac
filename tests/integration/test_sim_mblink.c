/* Links working their connections through a lent low descriptor (mblink_lend_fd), against the
 * simulator over Modbus TCP and RTU over TCP: reads go through the lent number while the
 * connection keeps its own, a reconnect during the visit is lent the number too, returning it
 * goes back to the own number, and closing ends the connection whatever number it was read
 * through. */
#include <fcntl.h>
#include <netinet/in.h>
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
#include "pvrelief/mblink.h"

static char dir[64], conf_path[128], ready_path[128];
static pid_t sim_pid;

static int start_sim(int tcp_port, int rtu_port)
{
	const char *src = getenv("PVRELIEF_SOURCE_DIR");
	FILE *f = fopen(conf_path, "w");
	if (!f)
		return -1;
	fprintf(f,
		"county = { id = \"t\"; utc_offset = 8; };\n"
		"maps_dir = \"%s/conf/maps\";\n"
		"database = { path = \"%s/t.db\"; };\n"
		"towns = ( { id = \"tw\"; villages = ( { id = \"v\"; } ); } );\n"
		"stations = ( { id = \"st1\"; village = \"v\"; lat = 31.55; lon = 116.0;\n"
		"  capacity_kwp = 100.0; devices = (\n"
		"  { id = \"a\"; host = \"127.0.0.1\"; port = %d; unit = 1; rated_power_w = "
		"45000.0; },\n"
		"  { id = \"b\"; transport = \"rtu-over-tcp\"; host = \"127.0.0.1\"; port = %d; "
		"unit = 1; rated_power_w = 45000.0; } ); } );\n",
		src ? src : ".", dir, tcp_port, rtu_port);
	fclose(f);
	const char *bin = getenv("PVRELIEF_BINARY_DIR");
	char exe[512];
	snprintf(exe, sizeof exe, "%s/pvrelief-sim", bin ? bin : ".");
	sim_pid = fork();
	if (sim_pid == 0) {
		execl(exe, exe, "-c", conf_path, "--clock-start", "2026-06-21 11:00:00+08:00",
		      "--ready-file", ready_path, "-v", "error", (char *)NULL);
		perror(exe);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		if (access(ready_path, F_OK) == 0)
			return 0;
		usleep(50000);
	}
	return -1;
}

/* Returns non-zero when descriptors a and b are the same socket. */
static int same_socket(int a, int b)
{
	struct stat x, y;
	return fstat(a, &x) == 0 && fstat(b, &y) == 0 && S_ISSOCK(x.st_mode) &&
	       x.st_ino == y.st_ino && x.st_dev == y.st_dev;
}

/* Reads the SunSpec marker through link l; 0 when it says "SunS". */
static int read_marker(struct mblink *l)
{
	uint16_t regs[2] = {0, 0};
	if (mblink_read(l, 1, 3, 40000, 2, regs) != MBLINK_OK)
		return -1;
	return regs[0] == 0x5375 && regs[1] == 0x6e53 ? 0 : -1;
}

static void lend_cycle(struct mblink *l, const char *kind)
{
	/* The low number, reserved as the poller's workers do, and connections opened after it
	 * with numbers above. */
	int low = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int filler[8];
	for (int i = 0; i < 8; i++)
		filler[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	mblink_set_timeout(l, 2000);
	CHECK_INT(mblink_connect(l), MBLINK_OK);
	int own = mblink_fd(l);
	CHECK(own > low);

	mblink_lend_fd(l, low);
	CHECK_INT(read_marker(l), 0);
	if (!same_socket(low, own))
		fprintf(stderr, "%s: the lent descriptor is not the connection\n", kind);
	CHECK(same_socket(low, own));
	CHECK(fcntl(low, F_GETFD) & FD_CLOEXEC);
	CHECK_INT(mblink_fd(l), own); /* the figure the poller reports is the own number */

	/* Closed during the visit (as a timeout or a garbled reply closes it), the next request
	 * reconnects, and the new connection is worked through the lent number too. */
	mblink_close(l);
	CHECK_INT(mblink_connected(l), 0);
	CHECK_INT(read_marker(l), 0);
	int own2 = mblink_fd(l);
	CHECK(own2 > low);
	CHECK(same_socket(low, own2));

	/* Returned: reads go through the own number; the link still works. */
	mblink_return_fd(l);
	CHECK_INT(read_marker(l), 0);
	CHECK_INT(mblink_fd(l), own2);

	/* Closed: the own number is gone and the connection is shut down, though the lent
	 * number still refers to it until it is lent again. */
	mblink_close(l);
	CHECK(fcntl(own2, F_GETFD) == -1);
	char c;
	CHECK(recv(low, &c, 1, MSG_DONTWAIT) == 0); /* end of stream */
	for (int i = 0; i < 8; i++)
		close(filler[i]);
	close(low);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof dir, "/tmp/pvrelief-test-mblink-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(conf_path, sizeof conf_path, "%s/sim.conf", dir);
	snprintf(ready_path, sizeof ready_path, "%s/ready", dir);
	int tcp_port = loopback_free_port(), rtu_port = loopback_free_port();
	CHECK_INT(start_sim(tcp_port, rtu_port), 0);
	if (sim_pid > 0) {
		struct mblink *tcp = mblink_new_tcp("127.0.0.1", tcp_port);
		lend_cycle(tcp, "tcp");
		mblink_free(tcp);
		struct mblink *rtu = mblink_new_rtu_over_tcp("127.0.0.1", rtu_port);
		lend_cycle(rtu, "rtu-over-tcp");
		mblink_free(rtu);
		kill(sim_pid, SIGTERM);
		waitpid(sim_pid, NULL, 0);
	}
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return check_summary();
}
