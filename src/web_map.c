/* The stations on a plain SVG, shared by the county overview and the province pages:
 * longitude and latitude scaled to the box (with the cosine of the latitude, so distances
 * look right), no tiles from any map server, each station a circle sized by its capacity and
 * coloured by its state. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pvrelief/web_html.h"
#include "web_internal.h"

const char *web_map_colour(const char *state)
{
	static const char *const colours[][2] = {{"producing", "#1b7f3b"}, {"idle", "#5c7c5c"},
						 {"night", "#555"},	   {"partial", "#b26a00"},
						 {"offline", "#7b1fa2"},   {"fault", "#c62828"},
						 {"connecting", "#999"},   {NULL, "#999"}};
	for (size_t j = 0; colours[j][0]; j++)
		if (state && strcmp(colours[j][0], state) == 0)
			return colours[j][1];
	return "#999";
}

void web_map(struct web_ctx *c, const struct web_map_point *p, size_t n, const char *id,
	     const char *label)
{
	struct strbuf *b = &c->rep->body;
	double lat0 = 90, lat1 = -90, lon0 = 180, lon1 = -180;
	size_t placed = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(p[i].lat) || !isfinite(p[i].lon))
			continue;
		lat0 = fmin(lat0, p[i].lat);
		lat1 = fmax(lat1, p[i].lat);
		lon0 = fmin(lon0, p[i].lon);
		lon1 = fmax(lon1, p[i].lon);
		placed++;
	}
	if (placed == 0)
		lat0 = lat1 = lon0 = lon1 = 0;
	/* A margin for the circles: 0.02 degree on a county, a share of the span beyond. */
	double pad = fmax(0.02, 0.04 * fmax(lat1 - lat0, lon1 - lon0)),
	       kx = cos((lat0 + lat1) / 2 * M_PI / 180);
	lat0 -= pad, lat1 += pad, lon0 -= pad, lon1 += pad;
	/* True proportions within 600 x 400: a county taller than wide gets a narrower map. */
	double aspect = (lat1 - lat0) / fmax((lon1 - lon0) * kx, 1e-6);
	double w = 600, h = 600 * aspect;
	if (h > 400) {
		h = 400;
		w = fmax(240, 400 / aspect);
	}
	h = fmax(h, 160);
	double sx = w / (lon1 - lon0), sy = h / (lat1 - lat0);
	web_html_printf(
	    b,
	    "<svg id=\"%s\" viewBox=\"0 0 %.0f %.0f\" style=\"width:%.0fpx;max-width:100%%\" "
	    "role=\"img\" "
	    "aria-label=\"%s\"><rect width=\"100%%\" height=\"100%%\" fill=\"#f3f6f2\"/>",
	    id, w, h + 20, w, label);
	/* A graticule for scale: every 0.1 degree on a county, every degree on a province. */
	double step = fmax(lon1 - lon0, lat1 - lat0) > 2 ? 1.0 : 0.1;
	for (double lo = ceil(lon0 / step) * step; lo < lon1; lo += step)
		strbuf_printf(
		    b, "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dde\"/>",
		    (lo - lon0) * sx, (lo - lon0) * sx, h);
	for (double la = ceil(lat0 / step) * step; la < lat1; la += step)
		strbuf_printf(
		    b, "<line x1=\"0\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dde\"/>",
		    (lat1 - la) * sy, w, (lat1 - la) * sy);
	/* A province of thousands of stations gets smaller circles. */
	double scale = placed > 300 ? 0.5 : 1.0;
	for (size_t i = 0; i < n; i++) {
		const struct web_map_point *s = &p[i];
		if (!isfinite(s->lat) || !isfinite(s->lon))
			continue;
		double x = (s->lon - lon0) * sx, y = (lat1 - s->lat) * sy;
		double cap = isfinite(s->capacity_kwp) && s->capacity_kwp > 0 ? s->capacity_kwp : 0;
		double r = scale * (4 + 4 * sqrt(cap / 300.0));
		web_html_printf(b,
				"<a href=\"%s\"><circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" "
				"fill=\"%s\" stroke=\"#fff\" %s=\"%s\"><title>%s</title></circle>"
				"</a>",
				s->href, x, y, r, web_map_colour(s->state), s->data_attr, s->data,
				s->title);
	}
	web_html_printf(b, "<text x=\"4\" y=\"%.0f\">%.2f°E – %.2f°E, %.2f°N – %.2f°N</text>",
			h + 15, lon0, lon1, lat0, lat1);
	strbuf_puts(b, "</svg>");
}
