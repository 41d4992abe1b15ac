/* Loss attribution. The cells of a window are summed by kind first, so that the efficiency
 * the outage classes are priced at is the whole window's clean efficiency, not each slot's
 * (a slot's own eta is noise at dawn). */
#include <math.h>
#include <string.h>

#include "pvrelief/loss.h"

void loss_add(struct loss_acc *acc, const struct loss_cell *c)
{
	if ((unsigned)c->kind > LOSS_CELL_CURTAILED || !isfinite(c->eth_wh) ||
	    !isfinite(c->energy_wh) || !isfinite(c->hours))
		return;
	acc->eth_wh[c->kind] += c->eth_wh;
	acc->energy_wh[c->kind] += c->energy_wh;
	acc->hours[c->kind] += c->hours;
	acc->price_wh[c->kind] +=
	    isfinite(c->price_wh) && c->price_wh > 0 ? c->price_wh : c->eth_wh;
}

void loss_finish(const struct loss_acc *acc, struct loss_figures *out)
{
	memset(out, 0, sizeof *out);
	double eth = 0, energy = 0;
	for (int k = 0; k <= LOSS_CELL_CURTAILED; k++) {
		eth += acc->eth_wh[k];
		energy += acc->energy_wh[k];
	}
	out->expected_kwh = eth / 1000.0;
	out->actual_kwh = energy / 1000.0;
	out->capability = eth > 0 ? energy / eth : NAN;
	/* Without a clean slot the station's own efficiency is unknown: the outages are priced
	 * at the reference (K) itself, and low performance cannot be told apart. */
	double clean_eth = acc->eth_wh[LOSS_CELL_RUN], clean_price = acc->price_wh[LOSS_CELL_RUN];
	out->ref_from_k = !(clean_eth > 0 && clean_price > 0);
	out->ref_eta = out->ref_from_k ? 1.0 : acc->energy_wh[LOSS_CELL_RUN] / clean_eth;
	double r = out->ref_from_k ? 1.0 : acc->energy_wh[LOSS_CELL_RUN] / clean_price;
#define PRICED(kind) (r * acc->price_wh[kind] - acc->energy_wh[kind])
	/* A slot never recovered has no energy credited: what it should have made at the day's
	 * efficiency is missing from the record, a loss to communication. A recovered gap shows
	 * in the counter what was really made: communication time, and a shortfall that the
	 * inverter itself did not produce. */
	out->loss_kwh[LOSS_COMM] = PRICED(LOSS_CELL_UNREAD) / 1000.0;
	out->loss_kwh[LOSS_DOWN] = (PRICED(LOSS_CELL_CAUGHT_UP) + PRICED(LOSS_CELL_DOWN)) / 1000.0;
	out->loss_kwh[LOSS_FAULT] = PRICED(LOSS_CELL_FAULT) / 1000.0;
	out->loss_kwh[LOSS_CURTAIL] = PRICED(LOSS_CELL_CURTAILED) / 1000.0;
#undef PRICED
	/* Low performance is what the outages leave: (1 - eta) x E_th when pricing and basis
	 * irradiance are the same, and the classes add up to E_th - E_act either way. */
	double outages = 0;
	for (int k = 0; k < LOSS_LOWPERF; k++)
		outages += out->loss_kwh[k];
	out->loss_kwh[LOSS_LOWPERF] = out->expected_kwh - out->actual_kwh - outages;
	out->hours[LOSS_COMM] = acc->hours[LOSS_CELL_UNREAD] + acc->hours[LOSS_CELL_CAUGHT_UP];
	out->hours[LOSS_DOWN] = acc->hours[LOSS_CELL_DOWN];
	out->hours[LOSS_FAULT] = acc->hours[LOSS_CELL_FAULT];
	out->hours[LOSS_CURTAIL] = acc->hours[LOSS_CELL_CURTAILED];
}

void loss_sum(struct loss_figures *a, const struct loss_figures *b)
{
	if (!(b->expected_kwh > 0) && !(b->actual_kwh > 0))
		return;
	double w = a->expected_kwh + b->expected_kwh;
	a->ref_eta = w > 0 ? ((a->expected_kwh > 0 ? a->ref_eta * a->expected_kwh : 0) +
			      b->ref_eta * b->expected_kwh) /
				 w
			   : NAN;
	a->ref_from_k |= b->ref_from_k;
	a->expected_kwh = w;
	a->actual_kwh += b->actual_kwh;
	for (int k = 0; k < LOSS_N_CLASSES; k++) {
		a->loss_kwh[k] += b->loss_kwh[k];
		a->hours[k] += b->hours[k];
	}
	a->capability = a->expected_kwh > 0 ? a->actual_kwh / a->expected_kwh : NAN;
}

const char *loss_class_name(enum loss_class c)
{
	static const char *const names[LOSS_N_CLASSES] = {"comm", "down", "fault", "curtail",
							  "lowperf"};
	return (unsigned)c < LOSS_N_CLASSES ? names[c] : "";
}
