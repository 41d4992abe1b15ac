/* The link traffic table (linkview.h). */
#include "pvrelief/linkview.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "pvrelief/linkbytes.h"
#include "pvrelief/strbuf.h"
#include "pvrelief/xalloc.h"

void linkview_finish(struct linkview *v)
{
	for (size_t g = 0; g < v->n_gws; g++) {
		struct linkview_gateway *gw = &v->gws[g];
		gw->today_bytes = gw->conn_today;
		gw->month_bytes = gw->conn_month;
		for (size_t i = 0; i < gw->n_devs; i++) {
			gw->today_bytes += gw->devs[i].today_bytes;
			gw->month_bytes += gw->devs[i].month_bytes;
		}
		gw->projection_bytes =
		    linkbytes_projection((double)gw->month_bytes, v->elapsed_s, v->month_s);
		gw->over_budget = gw->budget_mb > 0 && gw->projection_bytes > gw->budget_mb * 1e6;
		gw->stretched = gw->interval_s > gw->fast_s + 0.5;
	}
}

static double mb(double bytes)
{
	return bytes / 1e6;
}

static json_t *json_render(const struct linkview *v)
{
	json_t *root = json_object(), *gws = json_array();
	json_object_set_new(root, "month", json_string(v->month));
	json_object_set_new(root, "day", json_string(v->day));
	json_object_set_new(root, "month_elapsed_fraction",
			    json_real(v->month_s > 0 ? v->elapsed_s / v->month_s : 0));
	for (size_t g = 0; g < v->n_gws; g++) {
		const struct linkview_gateway *gw = &v->gws[g];
		json_t *o = json_object(), *devs = json_array();
		json_object_set_new(o, "gateway", json_string(gw->name));
		json_object_set_new(o, "station", json_string(gw->station));
		json_object_set_new(o, "today_mb", json_real(mb((double)gw->today_bytes)));
		json_object_set_new(o, "month_mb", json_real(mb((double)gw->month_bytes)));
		json_object_set_new(o, "projection_mb", json_real(mb(gw->projection_bytes)));
		json_object_set_new(o, "budget_mb",
				    gw->budget_mb > 0 ? json_real(gw->budget_mb) : json_null());
		json_object_set_new(o, "over_budget", json_boolean(gw->over_budget));
		json_object_set_new(o, "adaptive", json_boolean(gw->adaptive));
		json_object_set_new(o, "fast_interval_s", json_real(gw->fast_s));
		json_object_set_new(o, "interval_s",
				    gw->interval_s > 0 ? json_real(gw->interval_s) : json_null());
		json_object_set_new(o, "read_less_often", json_boolean(gw->stretched));
		json_object_set_new(o, "connection_today_mb",
				    json_real(mb((double)gw->conn_today)));
		json_object_set_new(o, "connection_month_mb",
				    json_real(mb((double)gw->conn_month)));
		for (size_t i = 0; i < gw->n_devs; i++) {
			const struct linkview_device *d = &gw->devs[i];
			json_t *dj = json_object();
			json_object_set_new(dj, "station", json_string(d->station));
			json_object_set_new(dj, "device", json_string(d->device));
			json_object_set_new(dj, "today_mb", json_real(mb((double)d->today_bytes)));
			json_object_set_new(dj, "month_mb", json_real(mb((double)d->month_bytes)));
			json_object_set_new(dj, "polls_today", json_integer(d->today_polls));
			json_object_set_new(dj, "polls_month", json_integer(d->month_polls));
			json_array_append_new(devs, dj);
		}
		json_object_set_new(o, "devices", devs);
		json_array_append_new(gws, o);
	}
	json_object_set_new(root, "gateways", gws);
	return root;
}

char *linkview_render(const struct linkview *v, int json)
{
	if (json) {
		json_t *root = json_render(v);
		char *text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
		json_decref(root);
		char *out = xasprintf("%s\n", text ? text : "{}");
		free(text);
		return out;
	}
	struct strbuf b = {0};
	strbuf_printf(&b, "link traffic 链路流量, %s (today 今日 %s, %.0f%% of the month)\n\n",
		      v->month, v->day, v->month_s > 0 ? 100.0 * v->elapsed_s / v->month_s : 0.0);
	strbuf_printf(&b, "%-24s %-16s %10s %10s %12s %10s %10s\n", "gateway", "station",
		      "today MB", "month MB", "projected MB", "budget MB", "interval");
	int stretched = 0, over = 0;
	for (size_t g = 0; g < v->n_gws; g++) {
		const struct linkview_gateway *gw = &v->gws[g];
		char budget[32], interval[40];
		if (gw->budget_mb > 0)
			snprintf(budget, sizeof budget, "%.1f", gw->budget_mb);
		else
			snprintf(budget, sizeof budget, "-");
		double iv = gw->interval_s > 0 ? gw->interval_s : gw->fast_s;
		snprintf(interval, sizeof interval, "%.0f s%s", iv, gw->stretched ? " *" : "");
		stretched |= gw->stretched;
		over |= gw->over_budget;
		strbuf_printf(&b, "%-24s %-16s %10.3f %10.3f %12.3f %10s %10s%s\n", gw->name,
			      gw->station, mb((double)gw->today_bytes), mb((double)gw->month_bytes),
			      mb(gw->projection_bytes), budget, interval,
			      gw->over_budget ? "  OVER BUDGET 超出流量套餐" : "");
		for (size_t i = 0; i < gw->n_devs; i++) {
			const struct linkview_device *d = &gw->devs[i];
			strbuf_printf(&b, "  %-22s %-16s %10.3f %10.3f %12s %10s %7lld polls\n",
				      d->device, d->station, mb((double)d->today_bytes),
				      mb((double)d->month_bytes), "", "",
				      (long long)d->today_polls);
		}
		if (gw->conn_month)
			strbuf_printf(&b, "  %-22s %-16s %10.3f %10.3f\n", "(connection 连接)", "",
				      mb((double)gw->conn_today), mb((double)gw->conn_month));
	}
	if (stretched)
		strbuf_printf(
		    &b, "\n* read less often than configured to stay within the monthly "
			"budget (energy stays exact: it comes from the lifetime counters)\n"
			"  为不超出月流量套餐而降低了读取频率（发电量仍按累计电量计，不受影响）\n");
	if (over)
		strbuf_printf(&b, "\nOVER BUDGET: the month's projection passes the gateway's "
				  "monthly budget\n");
	strbuf_printf(&b, "\nMB = 10^6 bytes of IP traffic (Modbus frames with TCP/IP headers "
			  "and ACKs), as estimated by pvreliefd\n");
	return strbuf_take(&b);
}
