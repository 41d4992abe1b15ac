/* Logins and sessions for the console. Passwords are only ever compared through crypt(3);
 * session ids and CSRF tokens are 256 random bits from the kernel; failed logins are counted
 * per client address so that guessing costs a window of time per few tries. */
#include "pvrelief/web_auth.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pvrelief/xalloc.h"

enum { MAX_CLIENTS = 512, NAME_MAX_BYTES = 64 };

struct user {
	char *name, *hash;
};

struct session {
	char sid[WEB_AUTH_SID_LEN + 1]; /* "" for a free slot */
	char csrf[WEB_AUTH_SID_LEN + 1];
	char user[NAME_MAX_BYTES + 1];
	double expires;
};

struct client {
	char addr[64];
	double window_start;
	int failures;
};

struct web_auth {
	char *path;
	struct timespec mtime;
	struct user *users;
	size_t n_users;
	double session_s;
	int attempts;
	char dummy[CRYPT_OUTPUT_SIZE]; /* a real hash, checked against for unknown names */
	struct session *sessions;      /* WEB_AUTH_MAX_SESSIONS */
	struct client clients[MAX_CLIENTS];
};

static void random_token(char out[WEB_AUTH_SID_LEN + 1])
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char raw[WEB_AUTH_SID_LEN];
	size_t got = 0;
	while (got < sizeof raw) {
		ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
		if (n < 0 && errno != EINTR)
			abort(); /* no kernel randomness: nothing safe can be issued */
		if (n > 0)
			got += (size_t)n;
	}
	for (size_t i = 0; i < WEB_AUTH_SID_LEN; i++)
		out[i] = b64[raw[i] & 63];
	out[WEB_AUTH_SID_LEN] = '\0';
}

static int same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;
	for (size_t i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > NAME_MAX_BYTES)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == ':' || *p == 0x7f)
			return 0;
	return 1;
}

static void free_users(struct web_auth *a)
{
	for (size_t i = 0; i < a->n_users; i++) {
		free(a->users[i].name);
		free(a->users[i].hash);
	}
	free(a->users);
	a->users = NULL;
	a->n_users = 0;
}

/* Checks that others cannot read path; 0 or -1 with a sentence. */
static int private_file(const char *path, const struct stat *st, char *err, size_t errlen)
{
	if (st->st_mode & S_IRWXO) {
		snprintf(err, errlen,
			 "users file %s holds password hashes but is accessible to others (mode "
			 "%03o); run chmod o-rwx on it",
			 path, (unsigned)(st->st_mode & 0777));
		return -1;
	}
	return 0;
}

static int load_users(struct web_auth *a, char *err, size_t errlen)
{
	struct stat st;
	FILE *f = fopen(a->path, "r");
	if (!f || fstat(fileno(f), &st) != 0) {
		snprintf(err, errlen, "cannot read users file %s: %s", a->path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	if (private_file(a->path, &st, err, errlen) != 0) {
		fclose(f);
		return -1;
	}
	free_users(a);
	a->mtime = st.st_mtim;
	char line[1024];
	int lineno = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		char *colon = strchr(line, ':');
		if (colon)
			*colon = '\0';
		if (!colon || !valid_name(line) || colon[1] != '$') {
			snprintf(err, errlen,
				 "%s:%d: not a \"name:hash\" line (make entries with pvrelief-web "
				 "--add-user NAME)",
				 a->path, lineno);
			fclose(f);
			free_users(a);
			return -1;
		}
		a->users = xrealloc(a->users, (a->n_users + 1) * sizeof *a->users);
		a->users[a->n_users].name = xstrdup(line);
		a->users[a->n_users++].hash = xstrdup(colon + 1);
	}
	fclose(f);
	return 0;
}

struct web_auth *web_auth_new(const char *users_file, double session_s, int attempts, char *err,
			      size_t errlen)
{
	struct web_auth *a = xcalloc(1, sizeof *a);
	a->path = xstrdup(users_file ? users_file : "");
	a->session_s = session_s;
	a->attempts = attempts;
	a->sessions = xcalloc(WEB_AUTH_MAX_SESSIONS, sizeof *a->sessions);
	if (web_auth_hash("unknown user", a->dummy, sizeof a->dummy) != 0) {
		snprintf(err, errlen, "crypt(3) cannot make yescrypt hashes on this system");
		web_auth_free(a);
		return NULL;
	}
	if (*a->path && load_users(a, err, errlen) != 0) {
		web_auth_free(a);
		return NULL;
	}
	return a;
}

void web_auth_free(struct web_auth *a)
{
	if (!a)
		return;
	free_users(a);
	free(a->sessions);
	free(a->path);
	free(a);
}

size_t web_auth_users(const struct web_auth *a)
{
	return a->n_users;
}

static struct session *find(const struct web_auth *a, const char *sid)
{
	if (!sid || strlen(sid) != WEB_AUTH_SID_LEN)
		return NULL;
	for (size_t i = 0; i < WEB_AUTH_MAX_SESSIONS; i++)
		if (a->sessions[i].sid[0] && same(a->sessions[i].sid, sid))
			return &a->sessions[i];
	return NULL;
}

/* A free slot, else the expired one, else the anonymous one that expires first: a flood of
 * anonymous visitors can push out other anonymous sessions but not logged-in ones, unless
 * every slot holds a login, when the oldest login goes. */
static struct session *slot(struct web_auth *a, double now)
{
	struct session *best = NULL;
	for (size_t i = 0; i < WEB_AUTH_MAX_SESSIONS; i++) {
		struct session *s = &a->sessions[i];
		if (!s->sid[0] || s->expires <= now)
			return s;
		int anon = !s->user[0], best_anon = best && !best->user[0];
		if (!best || (anon && !best_anon) ||
		    (anon == best_anon && s->expires < best->expires))
			best = s;
	}
	return best;
}

static struct session *issue(struct web_auth *a, double now, const char *user)
{
	struct session *s = slot(a, now);
	memset(s, 0, sizeof *s);
	random_token(s->sid);
	random_token(s->csrf);
	snprintf(s->user, sizeof s->user, "%s", user);
	s->expires = now + a->session_s;
	return s;
}

const char *web_auth_session(struct web_auth *a, const char *sid, double now, char *out_sid,
			     int *is_new)
{
	struct session *s = find(a, sid);
	*is_new = 0;
	if (s && s->expires <= now) {
		memset(s, 0, sizeof *s);
		s = NULL;
	}
	if (!s) {
		s = issue(a, now, "");
		*is_new = 1;
	}
	s->expires = now + a->session_s;
	memcpy(out_sid, s->sid, sizeof s->sid);
	return s->user;
}

const char *web_auth_user(const struct web_auth *a, const char *sid, double now)
{
	const struct session *s = find(a, sid);
	return s && s->expires > now ? s->user : "";
}

const char *web_auth_csrf(const struct web_auth *a, const char *sid)
{
	const struct session *s = find(a, sid);
	return s ? s->csrf : "";
}

int web_auth_csrf_ok(const struct web_auth *a, const char *sid, const char *token)
{
	const struct session *s = find(a, sid);
	return s && token && same(s->csrf, token);
}

static struct client *client_of(struct web_auth *a, const char *addr, double now)
{
	struct client *oldest = &a->clients[0];
	for (size_t i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &a->clients[i];
		if (c->addr[0] && strcmp(c->addr, addr) == 0) {
			if (now - c->window_start >= WEB_AUTH_WINDOW_S) {
				c->window_start = now;
				c->failures = 0;
			}
			return c;
		}
		if (!c->addr[0] || c->window_start < oldest->window_start)
			oldest = c;
	}
	memset(oldest, 0, sizeof *oldest);
	snprintf(oldest->addr, sizeof oldest->addr, "%s", addr);
	oldest->window_start = now;
	return oldest;
}

int web_auth_login(struct web_auth *a, const char *client, const char *sid, const char *name,
		   const char *password, double now, char *new_sid)
{
	struct client *c = client_of(a, client, now);
	if (c->failures >= a->attempts)
		return -2;
	struct stat st;
	char err[256];
	if (*a->path && stat(a->path, &st) == 0 &&
	    (st.st_mtim.tv_sec != a->mtime.tv_sec || st.st_mtim.tv_nsec != a->mtime.tv_nsec))
		load_users(a, err, sizeof err); /* a bad file leaves nobody able to log in */
	const char *hash = NULL;
	for (size_t i = 0; name && i < a->n_users; i++)
		if (strcmp(a->users[i].name, name) == 0)
			hash = a->users[i].hash;
	/* An unknown name costs the same hashing as a known one, so timing does not tell
	 * which names exist. */
	int ok = web_auth_verify(password ? password : "", hash ? hash : a->dummy) && hash;
	if (!ok) {
		c->failures++;
		return -1;
	}
	c->failures = 0;
	web_auth_logout(a, sid);
	struct session *s = issue(a, now, name);
	memcpy(new_sid, s->sid, sizeof s->sid);
	return 0;
}

void web_auth_logout(struct web_auth *a, const char *sid)
{
	struct session *s = find(a, sid);
	if (s)
		memset(s, 0, sizeof *s);
}

int web_auth_hash(const char *password, char *out, size_t len)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	if (!crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof salt))
		return -1;
	struct crypt_data *cd = xcalloc(1, sizeof *cd);
	const char *h = crypt_r(password, salt, cd);
	int rc = -1;
	if (h && h[0] == '$' && strlen(h) < len) {
		snprintf(out, len, "%s", h);
		rc = 0;
	}
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return rc;
}

int web_auth_verify(const char *password, const char *hash)
{
	struct crypt_data *cd = xcalloc(1, sizeof *cd);
	const char *h = crypt_r(password, hash, cd);
	int ok = h && h[0] == '$' && same(h, hash);
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return ok;
}

int web_auth_put_user(const char *users_file, const char *name, const char *hash, char *err,
		      size_t errlen)
{
	if (!valid_name(name)) {
		snprintf(err, errlen,
			 "user name \"%s\" must be 1-64 bytes without ':' or control characters",
			 name);
		return -1;
	}
	struct strbuf_lite {
		char *s;
		size_t len;
	} out = {NULL, 0};
	struct stat st;
	FILE *f = fopen(users_file, "r");
	if (f) {
		if (fstat(fileno(f), &st) == 0 && private_file(users_file, &st, err, errlen) != 0) {
			fclose(f);
			return -1;
		}
		char line[1024];
		while (fgets(line, sizeof line, f)) {
			size_t nl = strlen(name);
			if (strncmp(line, name, nl) == 0 && line[nl] == ':')
				continue; /* replaced below */
			size_t l = strlen(line);
			out.s = xrealloc(out.s, out.len + l + 2);
			memcpy(out.s + out.len, line, l);
			out.len += l;
			if (l && line[l - 1] != '\n')
				out.s[out.len++] = '\n';
		}
		fclose(f);
	} else if (errno != ENOENT) {
		snprintf(err, errlen, "cannot read %s: %s", users_file, strerror(errno));
		return -1;
	}
	char *entry = xasprintf("%s:%s\n", name, hash);
	char *tmp = xasprintf("%s.tmp", users_file);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	int rc = -1;
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	/* Keep the owner and group of an existing file (root:pvrelief under systemd). */
	if (f && fchown(fd, st.st_uid, st.st_gid) != 0) {
		/* Not the owner: the new file stays ours, which still keeps others out. */
	}
	if (fchmod(fd, 0640) != 0 || (out.len && write(fd, out.s, out.len) != (ssize_t)out.len) ||
	    write(fd, entry, strlen(entry)) != (ssize_t)strlen(entry) || fsync(fd) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, users_file) != 0) {
		snprintf(err, errlen, "cannot replace %s: %s", users_file, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(out.s);
	free(entry);
	free(tmp);
	return rc;
}
