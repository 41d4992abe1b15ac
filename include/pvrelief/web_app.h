/* The operations console's application: routes each request to its page, API or asset,
 * checks the session, language and CSRF token, and keeps the database connection and the
 * county model between requests. Called by web_http on its single thread. */
#ifndef PVRELIEF_WEB_APP_H
#define PVRELIEF_WEB_APP_H

#include "pvrelief/web_http.h"

struct config;
struct clock;
struct web_auth;
struct web_app;

/* Returns the application over cfg (borrowed), the clock pages show time by (borrowed), the
 * login state (borrowed) and the database at db_path (opened on first use, never created).
 * Free with web_app_free. */
struct web_app *web_app_new(const struct config *cfg, struct clock *clk, struct web_auth *auth,
			    const char *db_path);
/* Serves the province pages from the hub's database at hub_path (opened read-only on first
 * use, never created); NULL or "": none. */
void web_app_set_hub(struct web_app *app, const char *hub_path);
/* Frees the application and closes its database; accepts NULL. */
void web_app_free(struct web_app *app);
/* The web_http handler: arg is the web_app. */
void web_app_handle(void *arg, const struct web_request *req, struct web_reply *rep);

#endif
