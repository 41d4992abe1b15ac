/* Revenue: each village's distribution plan for a month, where it stands in the approval
 * workflow (draft → approved → reviewed → filed → publicised → paid) with who moved it and
 * when, and its monthly report and public notice in every format the CLI writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pvrelief/cli.h"
#include "pvrelief/clock.h"
#include "pvrelief/config.h"
#include "pvrelief/ledger.h"
#include "pvrelief/plan.h"
#include "pvrelief/report.h"
#include "pvrelief/store.h"
#include "pvrelief/store_console.h"
#include "pvrelief/store_ledger.h"
#include "pvrelief/store_notice.h"
#include "pvrelief/store_plan.h"
#include "pvrelief/web_html.h"
#include "pvrelief/web_params.h"
#include "pvrelief/xalloc.h"
#include "web_internal.h"

static const char *const formats[] = {"html", "csv", "json", "xlsx", NULL};

static void links(struct web_ctx *c, const char *village, const char *month, int notice)
{
	struct strbuf *b = &c->rep->body;
	for (size_t f = 0; formats[f]; f++) {
		struct strbuf q = {0};
		strbuf_puts(&q, "/revenue/report?village=");
		web_url_encode(&q, village);
		strbuf_printf(&q, "&month=%s&format=%s%s", month, formats[f],
			      notice ? "&notice=1" : "");
		char *href = strbuf_take(&q);
		web_html_printf(b, "<a href=\"%s\">%s</a> ", href, formats[f]);
		free(href);
	}
}

void web_page_revenue(struct web_ctx *c)
{
	char month[8];
	if (web_month_param(c, "month", month) != 0)
		return;
	struct store *st = web_store(c->app);
	if (!st) {
		web_error(c, 503, c->app->db_error);
		return;
	}
	const struct config *cfg = c->app->cfg;
	web_page_begin(c, T(c, "收益分配", "Revenue"), "revenue");
	struct strbuf *b = &c->rep->body;
	web_html_printf(
	    b,
	    "<h1>%s · %s</h1><form class=\"filters\" method=\"get\" action=\"/revenue\">"
	    "<label>%s<input type=\"month\" name=\"month\" value=\"%s\"></label>"
	    "<button>%s</button></form>",
	    T(c, "收益分配", "Revenue distribution"), month, T(c, "月份", "Month"), month,
	    T(c, "查看", "Show"));
	web_html_printf(
	    b,
	    "<div class=\"scroll\"><table id=\"plans\"><thead><tr><th>%s</th><th>%s</th>"
	    "<th class=\"n\">%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
	    T(c, "村", "Village"), T(c, "方案状态", "Plan state"),
	    T(c, "可分配（元）", "Distributable (yuan)"), T(c, "经办", "Steps"),
	    T(c, "月度报告", "Monthly report"), T(c, "公示", "Public notice"));
	store_console_read_begin(st);
	for (size_t v = 0; v < cfg->n_villages; v++) {
		struct store_rev_plan p;
		struct store_rev_step steps[16];
		int rc = store_rev_plan_get(st, cfg->villages[v].id, month, &p);
		web_html_printf(
		    b,
		    "<tr data-village=\"%s\"><td>%s</td><td class=\"plan-state\">%s</td>"
		    "<td class=\"n\">",
		    cfg->villages[v].id, cfg->villages[v].name,
		    web_i18n_plan_state(c->lang, rc == 0 ? p.state : ""));
		if (rc == 0) {
			char yuan[32];
			web_html_printf(b, "%s", report_yuan(p.distributable_fen, yuan));
		} else {
			strbuf_puts(b, "–");
		}
		strbuf_puts(b, "</td><td>");
		int ns =
		    rc == 0 ? store_rev_plan_steps(st, cfg->villages[v].id, month, steps, 16) : 0;
		for (int i = 0; i < ns; i++) {
			char t[32];
			web_time(c, (double)steps[i].at_unix, t);
			web_html_printf(b, "<div>%s · %s · %s</div>",
					web_i18n_plan_state(c->lang, steps[i].state), steps[i].by,
					t);
		}
		strbuf_puts(b, "</td><td>");
		links(c, cfg->villages[v].id, month, 0);
		strbuf_puts(b, "</td><td>");
		links(c, cfg->villages[v].id, month, 1);
		strbuf_puts(b, "</td></tr>");
	}
	store_console_read_end(st);
	strbuf_puts(b, "</tbody></table></div>");
	web_html_printf(
	    b, "<p class=\"note\">%s</p>",
	    T(c,
	      "报告与 pvrelief report 命令生成的相同；方案的审批在命令行中进行（pvrelief plan）。",
	      "The reports are those pvrelief report writes; plans move through approval "
	      "with pvrelief plan."));
	web_page_end(c);
}

static void count_disagreement(void *arg, const char *sentence)
{
	(void)sentence;
	++*(int *)arg;
}

/* The money tables agree with an intact ledger: 0, 1 when they do not, -1 on a database
 * error. Reports are rendered only from figures the ledger vouches for. */
static int ledger_vouches(struct store *st)
{
	struct store_ledger l;
	char why[512];
	int said = 0;
	if (store_ledger_load(st, &l) != 0)
		return -1;
	long broken = ledger_verify(l.entries, l.n, why, sizeof why);
	store_ledger_free(&l);
	if (broken >= 0)
		return 1;
	int bad = store_ledger_crosscheck(st, count_disagreement, &said);
	return bad < 0 ? -1 : bad > 0;
}

static const char *const content_types[] = {
    "text/html; charset=utf-8", "text/csv; charset=utf-8", "application/json; charset=utf-8",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"};

void web_page_revenue_report(struct web_ctx *c)
{
	const struct config *cfg = c->app->cfg;
	const char *village = web_request_query(c->req, "village");
	const char *format = web_request_query(c->req, "format");
	const char *notice = web_request_query(c->req, "notice");
	char month[8];
	long vi = village ? cli_village_index(cfg, village) : -1;
	int f = web_param_enum(format ? format : "html", formats);
	if (vi < 0 || f < 0 || (notice && strcmp(notice, "1") != 0 && strcmp(notice, "0") != 0)) {
		web_error(c, 400,
			  T(c, "村、格式（html/csv/json/xlsx）或公示参数无效。",
			    "Bad village, format (html/csv/json/xlsx) or notice."));
		return;
	}
	if (web_month_param(c, "month", month) != 0)
		return;
	struct store *st = web_store(c->app);
	if (!st) {
		web_error(c, 503, c->app->db_error);
		return;
	}
	int pub = notice && strcmp(notice, "1") == 0;
	store_console_read_begin(st);
	int vouched = ledger_vouches(st);
	if (vouched != 0) {
		store_console_read_end(st);
		if (vouched < 0) {
			web_error(c, 503, store_errmsg(st));
			web_store_reset(c->app);
		} else {
			web_error(
			    c, 409,
			    T(c, "账本或资金表不一致，不出报表；请运行 pvrelief ledger verify。",
			      "The ledger or a money table disagrees; no report is rendered. Run "
			      "pvrelief ledger verify."));
		}
		return;
	}
	/* A posted notice is served as posted, byte for byte. */
	struct store_notice sn;
	int got = pub ? store_notice_get(st, village, month, formats[f], &sn) : 1;
	if (got == 0) {
		store_console_read_end(st);
		char *name = xasprintf("attachment; filename=\"notice-%s-%s.%s\"", village, month,
				       formats[f]);
		c->rep->content_type = content_types[f];
		if (f != 0)
			web_reply_header(c->rep, "Content-Disposition", name);
		strbuf_add(&c->rep->body, (const char *)sn.body, sn.len);
		free(sn.body);
		free(name);
		return;
	}
	struct report *r =
	    got < 0 ? NULL
		    : cli_report_load(st, cfg, month, vi, pub, (int64_t)clock_now(c->app->clk));
	store_console_read_end(st);
	if (!r) {
		web_error(c, 503, store_errmsg(st));
		web_store_reset(c->app);
		return;
	}
	char *name = xasprintf("attachment; filename=\"%s-%s-%s.%s\"", pub ? "notice" : "report",
			       village, month, formats[f]);
	if (f == 3) {
		const char *tmpdir = getenv("TMPDIR");
		char *path =
		    xasprintf("%s/pvrelief-web-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
		int fd = mkstemp(path);
		char why[512] = "cannot make a temporary file";
		int ok = 0;
		if (fd >= 0) {
			close(fd);
			if (report_xlsx(r, path, why, sizeof why) == 0) {
				FILE *fp = fopen(path, "rb");
				char chunk[8192];
				size_t n;
				while (fp && (n = fread(chunk, 1, sizeof chunk, fp)) > 0)
					strbuf_add(&c->rep->body, chunk, n);
				ok = fp != NULL;
				if (fp)
					fclose(fp);
			}
			unlink(path);
		}
		free(path);
		if (!ok) {
			web_error(c, 500, why);
		} else {
			c->rep->content_type =
			    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
			web_reply_header(c->rep, "Content-Disposition", name);
		}
	} else {
		size_t len = 0;
		char *text = f == 1   ? report_csv(r, &len)
			     : f == 2 ? report_json(r)
				      : report_html(r);
		if (f != 1)
			len = strlen(text);
		c->rep->content_type = f == 1	? "text/csv; charset=utf-8"
				       : f == 2 ? "application/json; charset=utf-8"
						: "text/html; charset=utf-8";
		if (f != 0)
			web_reply_header(c->rep, "Content-Disposition", name);
		strbuf_add(&c->rep->body, text, len);
		free(text);
	}
	free(name);
	report_free(r);
}
