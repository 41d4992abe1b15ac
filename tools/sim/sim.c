/* Building the simulator's model from the configuration: one device per Modbus TCP or RTU over
 * TCP device of the configuration, one gateway per distinct port. */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

#include "pvrelief/config.h"
#include "pvrelief/log.h"
#include "pvrelief/xalloc.h"
#include "state.h"

struct sim *sim_new(struct config *cfg, struct clock *clock, const char *bind_addr)
{
	struct sim *sim = xcalloc(1, sizeof *sim);
	sim->cfg = cfg;
	sim->clock = clock;
	sim->bind_addr = bind_addr;
	size_t total = config_device_count(cfg);
	sim->devices = xcalloc(total ? total : 1, sizeof *sim->devices);
	sim->gateways = xcalloc(total ? total : 1, sizeof *sim->gateways);
	int *gw_of_port = xcalloc(65536, sizeof *gw_of_port); /* gateway index + 1 */

	for (size_t s = 0; s < cfg->n_stations; s++) {
		const struct config_station *st = &cfg->stations[s];
		for (size_t k = 0; k < st->n_devices; k++) {
			const struct config_device *dev = &st->devices[k];
			if (dev->transport == CONFIG_RTU) {
				log_warn("station %s device %s: serial lines are not simulated; "
					 "serve it as rtu-over-tcp and bridge a pty to that port "
					 "(tools/sim/README.md); this one is skipped",
					 st->id, dev->id);
				continue;
			}
			int rtu = dev->transport == CONFIG_RTU_OVER_TCP;
			int g = gw_of_port[dev->port] - 1;
			if (g < 0) {
				g = (int)sim->n_gateways++;
				gw_of_port[dev->port] = g + 1;
				struct sim_gateway *gw = &sim->gateways[g];
				gw->sim = sim;
				gw->port = dev->port;
				gw->host = dev->host;
				gw->listen_fd = -1;
				gw->rtu = rtu;
				gw->first = dev;
				gw->first_station = st;
				pthread_mutex_init(&gw->win_lock, NULL);
			}
			struct sim_gateway *gw = &sim->gateways[g];
			if (gw->rtu != rtu)
				fatal(
				    "station %s device %s: port %d is served over %s but station "
				    "%s "
				    "device %s uses it over %s; all devices on one port must share "
				    "a transport",
				    st->id, dev->id, dev->port, rtu ? "rtu-over-tcp" : "tcp",
				    gw->first_station->id, gw->first->id,
				    gw->rtu ? "rtu-over-tcp" : "tcp");
			if (strcmp(gw->host, dev->host) != 0)
				log_warn("station %s device %s: port %d is also used with host %s; "
					 "the simulator serves both as one gateway",
					 st->id, dev->id, dev->port, gw->host);
			if (gw->units[dev->unit_id & 0xFF]) {
				log_warn("station %s device %s: unit %d on port %d is already %s; "
					 "this one is skipped",
					 st->id, dev->id, dev->unit_id, dev->port,
					 gw->units[dev->unit_id & 0xFF]->name);
				continue;
			}
			struct sim_device *d = &sim->devices[sim->n_devices++];
			d->st = st;
			d->dev = dev;
			d->station_index = s;
			d->name = xasprintf("%s/%s", st->id, dev->id);
			d->share_w = physics_share_w(st);
			d->rated_w = physics_rated_w(st, dev);
			pthread_mutex_init(&d->lock, NULL);
			gw->units[dev->unit_id & 0xFF] = d;
			gw->n_units++;
		}
	}
	free(gw_of_port);
	return sim;
}

void sim_free(struct sim *sim)
{
	if (!sim)
		return;
	for (size_t i = 0; i < sim->n_devices; i++) {
		pthread_mutex_destroy(&sim->devices[i].lock);
		free(sim->devices[i].name);
	}
	free(sim->devices);
	for (size_t i = 0; i < sim->n_gateways; i++)
		pthread_mutex_destroy(&sim->gateways[i].win_lock);
	free(sim->gateways);
	free(sim);
}

struct sim_device *sim_device_find(struct sim *sim, const char *station, const char *device)
{
	for (size_t i = 0; i < sim->n_devices; i++)
		if (strcmp(sim->devices[i].st->id, station) == 0 &&
		    strcmp(sim->devices[i].dev->id, device) == 0)
			return &sim->devices[i];
	return NULL;
}

struct sim_gateway *sim_gateway_find(struct sim *sim, int port)
{
	for (size_t i = 0; i < sim->n_gateways; i++)
		if (sim->gateways[i].port == port)
			return &sim->gateways[i];
	return NULL;
}
