/* The JSON pieces every console API answer is made of: text that is always a string, numbers
 * that are null when not finite, local times, and the answer itself. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "pvrelief/strbuf.h"
#include "web_internal.h"

json_t *web_jstr(const char *s)
{
	json_t *j = json_string(s ? s : "");
	/* Text that is not UTF-8 (a vendor's string, a hand-edited row) is replaced, not
	 * dropped, so that the key is still there. */
	return j ? j : json_string("\xef\xbf\xbd");
}

json_t *web_jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *web_jlocal(const struct web_ctx *c, double t)
{
	char buf[32];
	if (!(t > 0))
		return json_null();
	web_time(c, t, buf);
	return json_string(buf);
}

void web_send_json(struct web_ctx *c, json_t *j, int digits)
{
	char *text =
	    json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(digits));
	c->rep->content_type = "application/json; charset=utf-8";
	strbuf_puts(&c->rep->body, text ? text : "null");
	strbuf_puts(&c->rep->body, "\n");
	free(text);
	json_decref(j);
}

void web_json_error(struct web_ctx *c, int status, const char *message)
{
	json_t *j = json_object();
	json_object_set_new(j, "error", web_jstr(message));
	c->rep->status = status;
	web_send_json(c, j, WEB_JSON_DIGITS);
}
