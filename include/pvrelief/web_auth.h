/* Who may write through the console: the users file ("name:crypt-hash" lines, yescrypt by
 * default, bcrypt accepted; refused when others may read it), login with a per-address limit
 * on failures, sessions with a CSRF token each, and the hashing behind `pvrelief-web
 * --add-user`. The only user of libcrypt. */
#ifndef PVRELIEF_WEB_AUTH_H
#define PVRELIEF_WEB_AUTH_H

#include <stddef.h>

struct web_auth;

enum {
	WEB_AUTH_SID_LEN = 43, /* characters of a session id or CSRF token (256 random bits) */
	WEB_AUTH_MAX_SESSIONS = 2048,
	WEB_AUTH_WINDOW_S = 900, /* the window failed logins are counted in */
};

/* Returns the login state for users_file ("" for none: nobody can log in), with sessions
 * lasting session_s without use and at most attempts failed logins per client address per
 * WEB_AUTH_WINDOW_S. On a file that cannot be read, is readable by others or holds a bad
 * line, returns NULL with a sentence in err. Free with web_auth_free. */
struct web_auth *web_auth_new(const char *users_file, double session_s, int attempts, char *err,
			      size_t errlen);
/* Frees the state; accepts NULL. */
void web_auth_free(struct web_auth *a);
/* Returns the number of users loaded. */
size_t web_auth_users(const struct web_auth *a);

/* Returns the session for cookie value sid (NULL: none) at monotonic time now, making a new
 * anonymous one when there is none or it expired; writes its id into out_sid (WEB_AUTH_SID_LEN
 * + 1) and sets *is_new when the cookie must be (re)sent. Returns the user name, or "" for an
 * anonymous session. */
const char *web_auth_session(struct web_auth *a, const char *sid, double now, char *out_sid,
			     int *is_new);
/* Returns the user of the live session sid at monotonic time now ("" when anonymous, none
 * or expired) without making one: for the API and /metrics, whose clients keep no cookies. */
const char *web_auth_user(const struct web_auth *a, const char *sid, double now);
/* Returns the CSRF token of the session sid, or "" when there is none. */
const char *web_auth_csrf(const struct web_auth *a, const char *sid);
/* Returns 1 when token is the CSRF token of the session sid, else 0 (in constant time). */
int web_auth_csrf_ok(const struct web_auth *a, const char *sid, const char *token);
/* Checks a login from client (its address) at monotonic time now. On success the session
 * sid is replaced by a new one for the user (written into new_sid) and 0 is returned; -1 for
 * a wrong name or password, -2 when the client has used up its attempts (the password is then
 * not even checked). The users file is read again when it changed. */
int web_auth_login(struct web_auth *a, const char *client, const char *sid, const char *name,
		   const char *password, double now, char *new_sid);
/* Ends the session sid. */
void web_auth_logout(struct web_auth *a, const char *sid);

/* Hashes password with yescrypt into out (len bytes); returns 0 or -1. */
int web_auth_hash(const char *password, char *out, size_t len);
/* Returns 1 when password matches a crypt(3) hash, else 0. */
int web_auth_verify(const char *password, const char *hash);
/* Adds or replaces the user name with hash in users_file, creating it with mode 0640;
 * returns 0, or -1 with a sentence in err (a bad name, a file others may read, I/O). */
int web_auth_put_user(const char *users_file, const char *name, const char *hash, char *err,
		      size_t errlen);

#endif
