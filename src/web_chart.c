/* The η chart of a station's last days, shared by the county's station page and the
 * province's: a bar per day (red below the station target when the irradiance behind it is
 * good enough to judge), PR as dots, the target as a dashed line. */
#include <math.h>
#include <stdio.h>

#include "pvrelief/config.h"
#include "pvrelief/web_html.h"
#include "web_internal.h"

void web_eta_chart(struct web_ctx *c, const struct web_eta_bar *d, int n, int days)
{
	struct strbuf *b = &c->rep->body;
	double target = c->app->cfg->efficiency.station_target;
	double W = 720, H = 180, L = 36, B = 20, top = 1.2;
	web_html_printf(
	    b,
	    "<svg id=\"eta30\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\">"
	    "<g transform=\"translate(0 16)\">",
	    W + 24, H + B + 16, T(c, "30 天 η 与 PR", "η and PR over 30 days"));
	for (int k = 0; k <= 4; k++) {
		double v = top * k / 4.0, y = H - H * v / top;
		strbuf_printf(
		    b,
		    "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#eee\"/>"
		    "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>",
		    L, y, W, y, L - 4, y + 4, v);
	}
	double bw = (W - L) / days;
	for (int i = 0; i < n; i++) {
		double x = L + bw * (days - n + i);
		if (!isnan(d[i].eta)) {
			double v = fmin(d[i].eta, top);
			web_html_printf(
			    b,
			    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			    "fill=\"%s\"><title>%s η %.2f</title></rect>",
			    x + 1, H - H * v / top, bw - 2, H * v / top,
			    d[i].eta < target && d[i].grade <= 2 ? "#c62828" : "#43a047", d[i].day,
			    d[i].eta);
		}
		if (!isnan(d[i].pr))
			strbuf_printf(b,
				      "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#1565c0\"/>",
				      x + bw / 2, H - H * fmin(d[i].pr, top) / top);
		if (i % 5 == 0)
			web_html_printf(b, "<text x=\"%.1f\" y=\"%.0f\">%s</text>", x, H + 14,
					d[i].day + 5);
	}
	strbuf_printf(b,
		      "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#c62828\" "
		      "stroke-dasharray=\"6 3\"/>",
		      L, H - H * target / top, W, H - H * target / top);
	strbuf_puts(b, "</g></svg>");
	web_html_printf(b,
			"<p class=\"note\">%s %.2f · <span style=\"color:#1565c0\">●</span> PR</p>",
			T(c, "柱：每日 η（红色为低于目标）；虚线：目标",
			  "bars: daily η (red below target); "
			  "dashed: target"),
			target);
}
