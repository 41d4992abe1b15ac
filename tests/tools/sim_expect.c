/* What the simulator's own model implies for a station, for the efficiency integration test:
 *
 *   sim_expect CONF STATION T0 T1 eta
 *     prints "energy_wh H_ghi_kwh_m2 H_poa_kwh_m2 eta_horizontal eta_poa": the AC energy of
 *     the station's inverters at their configured health and the irradiation of its
 *     environment over [T0, T1) (unix s), and eta = E / (H x P_stc x K) on either basis;
 *   sim_expect CONF STATION T0 T1 weather
 *     prints an Open-Meteo style answer (minutely_15, unixtime) whose irradiance, air
 *     temperature and wind are the model's means over each 15-minute step ending at its time.
 *
 * It links the simulator's physics.c, so it computes exactly what the simulator serves. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "physics.h"
#include "pvrelief/config.h"
#include "pvrelief/errlist.h"

enum { STEP_S = 30 };

static void env_mean(const struct config *cfg, const struct config_station *st, double t0,
		     double t1, struct physics_env *mean)
{
	memset(mean, 0, sizeof *mean);
	int n = 0;
	for (double t = t0 + STEP_S / 2.0; t < t1; t += STEP_S, n++) {
		struct physics_env e;
		physics_env(st, cfg->efficiency.linke_turbidity, cfg->utc_offset_s, t, &e);
		mean->ghi_w_m2 += e.ghi_w_m2;
		mean->poa_w_m2 += e.poa_w_m2;
		mean->dhi_w_m2 += e.dhi_w_m2;
		mean->dni_w_m2 += e.dni_w_m2;
		mean->air_temp_c += e.air_temp_c;
		mean->wind_m_s += e.wind_m_s;
	}
	if (n) {
		mean->ghi_w_m2 /= n;
		mean->poa_w_m2 /= n;
		mean->dhi_w_m2 /= n;
		mean->dni_w_m2 /= n;
		mean->air_temp_c /= n;
		mean->wind_m_s /= n;
	}
}

static void series(const char *name, const double *v, size_t n, int last)
{
	printf("\"%s\": [", name);
	for (size_t i = 0; i < n; i++)
		printf("%s%.3f", i ? ", " : "", v[i]);
	printf("]%s", last ? "" : ", ");
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: sim_expect CONF STATION T0 T1 eta|weather\n");
		return 2;
	}
	struct errlist errs = {0};
	struct config *cfg = config_load(argv[1], &errs);
	if (!cfg) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		return 1;
	}
	const struct config_station *st = config_station_find(cfg, argv[2]);
	if (!st) {
		fprintf(stderr, "sim_expect: no station %s\n", argv[2]);
		return 1;
	}
	double t0 = atof(argv[3]), t1 = atof(argv[4]);
	if (strcmp(argv[5], "eta") == 0) {
		double e = 0, ghi = 0, poa = 0;
		for (size_t d = 0; d < st->n_devices; d++)
			if (st->devices[d].role == CONFIG_INVERTER)
				e += physics_energy_wh(cfg, st, &st->devices[d],
						       st->devices[d].sim.health, t0, t1, STEP_S);
		for (double t = t0; t < t1; t += STEP_S) {
			struct physics_env env;
			double dt = fmin(STEP_S, t1 - t);
			physics_env(st, cfg->efficiency.linke_turbidity, cfg->utc_offset_s,
				    t + dt / 2, &env);
			ghi += env.ghi_w_m2 * dt / 3600.0;
			poa += env.poa_w_m2 * dt / 3600.0;
		}
		double k = st->k_coeff > 0 ? st->k_coeff : cfg->efficiency.k_default;
		printf("%.3f %.6f %.6f %.6f %.6f\n", e, ghi / 1000, poa / 1000,
		       e / (ghi * st->capacity_kwp * k), e / (poa * st->capacity_kwp * k));
	} else if (strcmp(argv[5], "weather") == 0) {
		size_t n = (size_t)((t1 - t0) / 900.0);
		double *v[7];
		for (int k = 0; k < 7; k++)
			v[k] = calloc(n ? n : 1, sizeof(double));
		for (size_t i = 0; i < n; i++) {
			double end = t0 + 900.0 * (double)(i + 1);
			struct physics_env m;
			env_mean(cfg, st, end - 900.0, end, &m);
			v[0][i] = end;
			v[1][i] = m.ghi_w_m2;
			v[2][i] = m.poa_w_m2;
			v[3][i] = m.dhi_w_m2;
			v[4][i] = m.dni_w_m2;
			v[5][i] = m.air_temp_c;
			v[6][i] = m.wind_m_s;
		}
		printf("{\"latitude\": %.3f, \"longitude\": %.3f, \"utc_offset_seconds\": 0, "
		       "\"minutely_15\": {",
		       st->lat_deg, st->lon_deg);
		printf("\"time\": [");
		for (size_t i = 0; i < n; i++)
			printf("%s%.0f", i ? ", " : "", v[0][i]);
		printf("], ");
		series("shortwave_radiation", v[1], n, 0);
		series("global_tilted_irradiance", v[2], n, 0);
		series("diffuse_radiation", v[3], n, 0);
		series("direct_normal_irradiance", v[4], n, 0);
		series("temperature_2m", v[5], n, 0);
		series("wind_speed_10m", v[6], n, 1);
		printf("}}\n");
		for (int k = 0; k < 7; k++)
			free(v[k]);
	} else {
		fprintf(stderr, "sim_expect: unknown mode %s\n", argv[5]);
		config_free(cfg);
		return 2;
	}
	config_free(cfg);
	return 0;
}
