/* Routing, sessions, languages and the page frame of the console. Every request passes
 * through web_app_handle: method and path checked, language picked, session found or made,
 * login demanded where the configuration or a write asks for it, then one page runs. */
#include "pvrelief/web_app.h"
#include "pvrelief/timefmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pvrelief/clock.h"
#include "pvrelief/config.h"
#include "pvrelief/store.h"
#include "pvrelief/web_auth.h"
#include "pvrelief/web_html.h"
#include "pvrelief/web_params.h"
#include "pvrelief/xalloc.h"
#include "web_internal.h"

extern const char web_asset_css[];
extern const char web_asset_js[];

static const struct config *sort_cfg; /* qsort has no argument; set only in web_app_new */

static int by_station_id(const void *a, const void *b)
{
	return strcmp(sort_cfg->stations[*(const size_t *)a].id,
		      sort_cfg->stations[*(const size_t *)b].id);
}

struct web_app *web_app_new(const struct config *cfg, struct clock *clk, struct web_auth *auth,
			    const char *db_path)
{
	struct web_app *app = xcalloc(1, sizeof *app);
	app->cfg = cfg;
	app->clk = clk;
	app->auth = auth;
	app->db_path = xstrdup(db_path);
	app->silent_after_s = cfg->web.silent_after_s;
	app->version = PVRELIEF_VERSION;
	app->by_id = xcalloc(cfg->n_stations + 1, sizeof *app->by_id);
	for (size_t i = 0; i < cfg->n_stations; i++)
		app->by_id[i] = i;
	sort_cfg = cfg;
	qsort(app->by_id, cfg->n_stations, sizeof *app->by_id, by_station_id);
	return app;
}

void web_app_free(struct web_app *app)
{
	if (!app)
		return;
	web_county_free(app->county);
	store_close(app->hub);
	free(app->hub_path);
	free(app->by_id);
	store_close(app->st);
	free(app->db_path);
	free(app);
}

struct store *web_store(struct web_app *app)
{
	if (app->st)
		return app->st;
	/* Never create the database: an empty new file would hide a wrong path. */
	if (access(app->db_path, F_OK) != 0) {
		snprintf(app->db_error, sizeof app->db_error,
			 "database %s does not exist: has pvreliefd run with this configuration?",
			 app->db_path);
		return NULL;
	}
	char err[512];
	app->st = store_open(app->db_path, 0, err, sizeof err);
	if (!app->st) {
		snprintf(app->db_error, sizeof app->db_error, "%s", err);
		return NULL;
	}
	app->db_error[0] = '\0';
	return app->st;
}

void web_store_reset(struct web_app *app)
{
	store_close(app->st);
	app->st = NULL;
}

void web_app_set_hub(struct web_app *app, const char *hub_path)
{
	free(app->hub_path);
	app->hub_path = hub_path && *hub_path ? xstrdup(hub_path) : NULL;
}

struct store *web_hub_store(struct web_app *app)
{
	if (app->hub)
		return app->hub;
	if (!app->hub_path) {
		snprintf(app->hub_error, sizeof app->hub_error,
			 "no province hub database is configured (web.hub_database)");
		return NULL;
	}
	/* Read-only: the hub writes its database, the console only shows it, and a wrong
	 * path must not leave an empty new file behind. */
	if (access(app->hub_path, F_OK) != 0) {
		snprintf(app->hub_error, sizeof app->hub_error,
			 "hub database %s does not exist: has pvrelief-hub run with --db %s?",
			 app->hub_path, app->hub_path);
		return NULL;
	}
	char err[512];
	app->hub = store_open(app->hub_path, STORE_READONLY, err, sizeof err);
	if (!app->hub) {
		snprintf(app->hub_error, sizeof app->hub_error, "%s", err);
		return NULL;
	}
	app->hub_error[0] = '\0';
	return app->hub;
}

void web_hub_store_reset(struct web_app *app)
{
	store_close(app->hub);
	app->hub = NULL;
}

void web_time(const struct web_ctx *c, double t, char *buf)
{
	if (t <= 0) {
		buf[0] = '\0';
		return;
	}
	timefmt_local(t, c->app->cfg->utc_offset_s, buf, 32);
}

void web_num(struct strbuf *b, double v, int decimals)
{
	if (isnan(v) || isinf(v))
		strbuf_puts(b, "–");
	else
		strbuf_printf(b, "%.*f", decimals, v);
}

void web_pct(struct strbuf *b, double v)
{
	if (isnan(v) || isinf(v))
		strbuf_puts(b, "–");
	else
		strbuf_printf(b, "%.1f%%", v * 100.0);
}

static void cookie(struct web_ctx *c, const char *name, const char *value, const char *extra)
{
	char *v = xasprintf("%s=%s; Path=/; SameSite=Strict%s%s", name, value,
			    web_request_tls(c->req) ? "; Secure" : "", extra);
	web_reply_header(c->rep, "Set-Cookie", v);
	free(v);
}

static void redirect(struct web_ctx *c, const char *to)
{
	c->rep->status = 303;
	web_reply_header(c->rep, "Location", to);
	c->rep->content_type = "text/plain; charset=utf-8";
	strbuf_printf(&c->rep->body, "see %s\n", to);
}

void web_csrf_field(struct web_ctx *c)
{
	web_html_printf(&c->rep->body, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">",
			c->csrf);
}

int web_require_write(struct web_ctx *c, const struct web_form *f)
{
	if (!web_auth_csrf_ok(c->app->auth, c->sid, web_form_get(f, "csrf"))) {
		web_error(c, 403,
			  T(c, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。",
			    "The form has expired or did not come from this console (CSRF check "
			    "failed): reload the page and try again."));
		return -1;
	}
	if (!c->user[0]) {
		web_error(c, 403,
			  T(c, "修改数据需要先登录。", "Changing anything requires a login."));
		return -1;
	}
	return 0;
}

static void nav_item(struct web_ctx *c, const char *href, const char *label, const char *active,
		     const char *name)
{
	/* The marker of the current page is markup, not text: it is not escaped. */
	web_html_printf(&c->rep->body, "<a href=\"%s\"", href);
	if (strcmp(active, name) == 0)
		strbuf_puts(&c->rep->body, " class=\"on\" aria-current=\"page\"");
	web_html_printf(&c->rep->body, ">%s</a>", label);
}

void web_page_begin(struct web_ctx *c, const char *title, const char *active)
{
	struct strbuf *b = &c->rep->body;
	const struct config *cfg = c->app->cfg;
	web_html_printf(b,
			"<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
			"<title>%s · %s</title><link rel=\"stylesheet\" href=\"/static/app.css\">"
			"</head>",
			c->lang == WEB_LANG_EN ? "en" : "zh-CN", title, cfg->county_name);
	/* The live address: pages that update themselves name what they poll. */
	const char *station = strncmp(c->path, "/station/", 9) == 0 ? c->path + 9 : NULL;
	strbuf_puts(b, "<body");
	if (strcmp(active, "overview") == 0 || station) {
		strbuf_puts(b, " data-live=\"/api/live");
		if (station) {
			strbuf_puts(b, "?station=");
			web_url_encode(b, station);
		}
		strbuf_puts(b, "\"");
	}
	web_html_printf(b, " data-lang=\"%s\">", web_i18n_code(c->lang));
	web_html_printf(b, "<header><div class=\"brand\">%s <span>%s</span></div><nav>",
			cfg->county_name, T(c, "光伏帮扶电站运维台", "PV station console"));
	if (c->app->hub_path)
		nav_item(c, "/province", T(c, "全省", "Province"), active, "province");
	nav_item(c, "/", T(c, "总览", "Overview"), active, "overview");
	nav_item(c, "/alerts", T(c, "告警", "Alerts"), active, "alerts");
	nav_item(c, "/maintenance", T(c, "运维", "Maintenance"), active, "maintenance");
	nav_item(c, "/health", T(c, "健康", "Health"), active, "health");
	nav_item(c, "/revenue", T(c, "收益", "Revenue"), active, "revenue");
	strbuf_puts(b, "</nav><div class=\"who\">");
	/* The switch goes to the other language and comes back to this page. */
	strbuf_puts(b, "<a class=\"lang\" href=\"/lang?to=");
	strbuf_puts(b, c->lang == WEB_LANG_EN ? "zh" : "en");
	strbuf_puts(b, "&amp;back=");
	web_url_encode(b, c->path);
	strbuf_puts(b, c->lang == WEB_LANG_EN ? "\">中文</a>" : "\">English</a>");
	if (c->user[0]) {
		web_html_printf(b,
				"<form method=\"post\" action=\"/logout\" class=\"inline\">"
				"<span class=\"user\">%s</span>",
				c->user);
		web_csrf_field(c);
		web_html_printf(b, "<button>%s</button></form>", T(c, "退出", "Log out"));
	} else {
		web_html_printf(b, "<a href=\"/login\">%s</a>", T(c, "登录", "Log in"));
	}
	strbuf_puts(b, "</div></header>");
	/* The status bar: how old the data is and whether the daemon still polls; on the
	 * province pages, when the hub last heard from a county. */
	const struct web_county *county = c->status_from ? c->status_from
					  : c->province	 ? NULL
							 : web_county_get(c->app);
	strbuf_puts(b, "<div class=\"status\" id=\"status\">");
	if (c->province) {
		char now[32], newest[32];
		web_time(c, clock_now(c->app->clk), now);
		web_time(c, c->hub_newest, newest);
		web_html_printf(b, "<span>%s <b id=\"now\">%s</b></span> ", T(c, "现在", "Now"),
				now);
		web_html_printf(b, "<span>%s <b id=\"hub-newest\">%s</b></span>",
				T(c, "省级汇聚最新消息", "Newest message at the hub"),
				newest[0] ? newest : T(c, "尚无消息", "none yet"));
	} else if (!county) {
		web_html_printf(b, "<span class=\"bad\">%s %s</span>",
				T(c, "数据库不可用：", "Database unavailable:"), c->app->db_error);
	} else {
		char now[32], newest[32];
		web_time(c, county->now, now);
		web_time(c, county->newest_reading_ts, newest);
		web_html_printf(b, "<span>%s <b id=\"now\">%s</b></span> ", T(c, "现在", "Now"),
				now);
		web_html_printf(b, "<span>%s <b id=\"age\" data-age=\"%.0f\">",
				T(c, "数据更新于", "Data from"),
				isnan(county->data_age_s) ? -1.0 : county->data_age_s);
		if (newest[0])
			web_html_printf(b, "%s (%.0f %s)", newest, county->data_age_s,
					T(c, "秒前", "s ago"));
		else
			strbuf_puts(b, T(c, "尚无读数", "no reading yet"));
		strbuf_puts(b, "</b></span>");
		web_html_printf(b, " <span id=\"silent\" class=\"bad\"%s>%s</span>",
				county->daemon_silent ? "" : " hidden",
				T(c, "⚠ 守护进程无响应：数据没有更新，请检查 pvreliefd",
				  "⚠ Daemon silent: no new data, check pvreliefd"));
	}
	strbuf_puts(b, "</div><main>");
}

void web_page_end(struct web_ctx *c)
{
	web_html_printf(&c->rep->body,
			"</main><footer>pvrelief %s · %s</footer>"
			"<script src=\"/static/app.js\"></script></body></html>\n",
			c->app->version, c->app->cfg->county_name);
}

void web_error(struct web_ctx *c, int status, const char *message)
{
	free(strbuf_take(&c->rep->body));
	c->rep->status = status;
	c->rep->content_type = "text/html; charset=utf-8";
	const char *title = status == 404   ? T(c, "找不到页面", "Not found")
			    : status == 400 ? T(c, "请求有误", "Bad request")
			    : status == 403 ? T(c, "不允许", "Forbidden")
			    : status == 429 ? T(c, "尝试次数过多", "Too many attempts")
			    : status == 503 ? T(c, "暂时不可用", "Unavailable")
					    : T(c, "出错了", "Error");
	struct strbuf *b = &c->rep->body;
	web_html_printf(b,
			"<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
			"<title>%d %s</title><link rel=\"stylesheet\" href=\"/static/app.css\">"
			"</head><body><main class=\"error\"><h1>%d %s</h1><p>%s</p>"
			"<p><a href=\"/\">%s</a></p></main></body></html>\n",
			c->lang == WEB_LANG_EN ? "en" : "zh-CN", status, title, status, title,
			message, T(c, "返回总览", "Back to the overview"));
}

static void login_page(struct web_ctx *c, const char *message)
{
	web_page_begin(c, T(c, "登录", "Log in"), "login");
	struct strbuf *b = &c->rep->body;
	web_html_printf(b, "<h1>%s</h1>", T(c, "登录", "Log in"));
	if (message)
		web_html_printf(b, "<p class=\"bad\" id=\"login-error\">%s</p>", message);
	if (web_auth_users(c->app->auth) == 0)
		web_html_printf(b, "<p class=\"note\">%s</p>",
				T(c, "尚未配置用户：管理员用 pvrelief-web --add-user 名字 添加。",
				  "No users are configured: an administrator adds them with "
				  "pvrelief-web --add-user NAME."));
	web_html_printf(b,
			"<form method=\"post\" action=\"/login\" class=\"card form\">"
			"<label>%s <input name=\"user\" autocomplete=\"username\" required "
			"maxlength=\"64\"></label><label>%s <input name=\"password\" "
			"type=\"password\" autocomplete=\"current-password\" required "
			"maxlength=\"256\"></label>",
			T(c, "用户名", "User"), T(c, "密码", "Password"));
	web_csrf_field(c);
	web_html_printf(b, "<button>%s</button></form>", T(c, "登录", "Log in"));
	web_page_end(c);
}

static void login_post(struct web_ctx *c)
{
	size_t len;
	const char *body = web_request_body(c->req, &len);
	struct web_form f;
	if (web_form_parse(body, len, &f) != 0) {
		web_error(c, 400, T(c, "表单格式错误。", "The form is malformed."));
		return;
	}
	if (!web_auth_csrf_ok(c->app->auth, c->sid, web_form_get(&f, "csrf"))) {
		web_form_free(&f);
		web_error(c, 403,
			  T(c, "表单已过期（CSRF 校验失败），请刷新后重试。",
			    "The form has expired (CSRF check failed): reload and try again."));
		return;
	}
	char client[64], sid[WEB_AUTH_SID_LEN + 1];
	web_request_client(c->req, client, sizeof client);
	const char *user = web_form_get(&f, "user");
	int rc = web_auth_login(c->app->auth, client, c->sid, user, web_form_get(&f, "password"),
				clock_monotonic_now(), sid);
	if (rc == 0) {
		char *v = xasprintf("%s; HttpOnly", sid);
		cookie(c, "pvw_sid", v, "");
		free(v);
		redirect(c, "/");
	} else if (rc == -2) {
		c->rep->status = 429;
		web_reply_header(c->rep, "Retry-After", "900");
		/* A fresh anonymous session keeps the form usable once the window passes. */
		login_page(c, T(c, "登录失败次数过多，请 15 分钟后再试。",
				"Too many failed logins: try again in 15 minutes."));
		c->rep->status = 429;
	} else {
		login_page(c, T(c, "用户名或密码错误。", "Wrong user name or password."));
		c->rep->status = 401;
	}
	web_form_free(&f);
}

static void logout_post(struct web_ctx *c)
{
	size_t len;
	const char *body = web_request_body(c->req, &len);
	struct web_form f;
	if (web_form_parse(body, len, &f) != 0 ||
	    !web_auth_csrf_ok(c->app->auth, c->sid, web_form_get(&f, "csrf"))) {
		web_form_free(&f);
		web_error(c, 403, T(c, "CSRF 校验失败。", "CSRF check failed."));
		return;
	}
	web_form_free(&f);
	web_auth_logout(c->app->auth, c->sid);
	cookie(c, "pvw_sid", "", "; HttpOnly; Max-Age=0");
	redirect(c, "/");
}

static void lang_switch(struct web_ctx *c)
{
	const char *to = web_request_query(c->req, "to");
	const char *back = web_request_query(c->req, "back");
	static const char *const langs[] = {"zh", "en", NULL};
	if (web_param_enum(to, langs) < 0) {
		web_error(c, 400, T(c, "未知的语言。", "Unknown language."));
		return;
	}
	cookie(c, "pvw_lang", to, "; Max-Age=31536000");
	/* Only a path of this console: never an address elsewhere ("//host" included). */
	if (!back || back[0] != '/' || back[1] == '/' || back[1] == '\\' ||
	    !web_param_text(back, 512) || strpbrk(back, "\r\n"))
		back = "/";
	struct strbuf u = {0};
	for (const char *p = back; *p; p++) {
		if ((unsigned char)*p <= 0x20 || *p == '"' || (unsigned char)*p >= 0x7f) {
			char e[4];
			snprintf(e, sizeof e, "%%%02X", (unsigned char)*p);
			strbuf_puts(&u, e);
		} else {
			strbuf_add(&u, p, 1);
		}
	}
	char *target = strbuf_take(&u);
	redirect(c, target);
	free(target);
}

static void asset(struct web_ctx *c, const char *type, const char *text)
{
	c->rep->content_type = type;
	strbuf_puts(&c->rep->body, text);
}

static int reads_need_login(const struct web_ctx *c)
{
	return c->app->cfg->web.read_requires_login && !c->user[0];
}

/* A page visit: its session (made when there is none, for the login form's CSRF token) and
 * the pages that work without reading rights: login, logout, the language switch. Returns 1
 * when one of those answered. */
static int visitor(struct web_ctx *c)
{
	int is_new = 0;
	c->user = web_auth_session(c->app->auth, web_request_cookie(c->req, "pvw_sid"),
				   clock_monotonic_now(), c->sid, &is_new);
	c->csrf = web_auth_csrf(c->app->auth, c->sid);
	if (is_new) {
		char *v = xasprintf("%s; HttpOnly", c->sid);
		cookie(c, "pvw_sid", v, "");
		free(v);
	}
	if (strcmp(c->path, "/login") == 0) {
		if (c->is_post)
			login_post(c);
		else
			login_page(c, NULL);
		return 1;
	}
	if (strcmp(c->path, "/logout") == 0 && c->is_post) {
		logout_post(c);
		return 1;
	}
	if (strcmp(c->path, "/lang") == 0) {
		lang_switch(c);
		return 1;
	}
	return 0;
}

void web_app_handle(void *arg, const struct web_request *req, struct web_reply *rep)
{
	struct web_app *app = arg;
	struct web_ctx ctx, *c = &ctx;
	memset(c, 0, sizeof *c);
	c->app = app;
	c->req = req;
	c->rep = rep;
	c->path = web_request_path(req);
	c->lang = web_i18n_pick(web_request_cookie(req, "pvw_lang"),
				web_request_header(req, "Accept-Language"));
	const char *method = web_request_method(req);
	c->is_post = strcmp(method, "POST") == 0;
	if (!c->is_post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		web_error(c, 405, T(c, "不支持的请求方法。", "Method not allowed."));
		web_reply_header(rep, "Allow", "GET, HEAD, POST");
		return;
	}
	if (!c->path || c->path[0] != '/' || !web_param_text(c->path, 512)) {
		web_error(c, 400, T(c, "路径无效。", "Bad path."));
		return;
	}
	if (strcmp(c->path, "/static/app.css") == 0) {
		asset(c, "text/css; charset=utf-8", web_asset_css);
		return;
	}
	if (strcmp(c->path, "/static/app.js") == 0) {
		asset(c, "text/javascript; charset=utf-8", web_asset_js);
		return;
	}
	/* Machine clients (the pages' own polling, Prometheus) keep no session of their own: a
	 * scrape every few seconds must not push visitors' sessions out. */
	if (strncmp(c->path, "/api/", 5) == 0 || strcmp(c->path, "/metrics") == 0)
		c->user = web_auth_user(app->auth, web_request_cookie(req, "pvw_sid"),
					clock_monotonic_now());
	else if (visitor(c) != 0)
		return;
	if (reads_need_login(c)) {
		if (strncmp(c->path, "/api/", 5) == 0 || strcmp(c->path, "/metrics") == 0) {
			web_error(c, 401, T(c, "需要登录。", "Login required."));
			return;
		}
		redirect(c, "/login");
		return;
	}
	if (strcmp(c->path, "/") == 0)
		web_page_overview(c);
	else if (strncmp(c->path, "/station/", 9) == 0)
		web_page_station(c, c->path + 9);
	else if (strcmp(c->path, "/alerts") == 0 || strcmp(c->path, "/alerts/ack") == 0)
		web_page_alerts(c);
	else if (strcmp(c->path, "/maintenance") == 0)
		web_page_maintenance(c);
	else if (strcmp(c->path, "/health") == 0)
		web_page_health(c);
	else if (strcmp(c->path, "/revenue") == 0)
		web_page_revenue(c);
	else if (strcmp(c->path, "/revenue/report") == 0)
		web_page_revenue_report(c);
	else if (strcmp(c->path, "/province") == 0 || strncmp(c->path, "/province/", 10) == 0)
		web_page_province(c, c->path + 9);
	else if (strcmp(c->path, "/api/province") == 0 ||
		 strncmp(c->path, "/api/province/", 14) == 0)
		web_api_province(c, c->path + 13);
	else if (strncmp(c->path, "/api/", 5) == 0)
		web_api(c, c->path + 5);
	else if (strcmp(c->path, "/metrics") == 0)
		web_metrics_page(c);
	else
		web_error(c, 404, T(c, "没有这个页面。", "There is no such page."));
}
