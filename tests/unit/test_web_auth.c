/* Logins of the console: yescrypt hashes, the users file kept private, sessions and their
 * CSRF tokens, the per-address limit on failed logins, and --add-user's file handling. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "pvrelief/web_auth.h"

int main(void)
{
	char dir[] = "/tmp/test_web_auth.XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char path[256], err[512], hash[256];
	snprintf(path, sizeof path, "%s/users", dir);

	CHECK_INT(web_auth_hash("correct horse", hash, sizeof hash), 0);
	CHECK(strncmp(hash, "$y$", 3) == 0);
	CHECK(web_auth_verify("correct horse", hash));
	CHECK(!web_auth_verify("correct horsE", hash));
	CHECK(!web_auth_verify("", hash));
	CHECK(!web_auth_verify("x", "not a hash"));

	CHECK_INT(web_auth_put_user(path, "张三", hash, err, sizeof err), 0);
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
	char h2[256];
	web_auth_hash("second pw", h2, sizeof h2);
	CHECK_INT(web_auth_put_user(path, "li", h2, err, sizeof err), 0);
	CHECK_INT(web_auth_put_user(path, "张三", h2, err, sizeof err), 0); /* replaced */
	CHECK_INT(web_auth_put_user(path, "bad:name", h2, err, sizeof err), -1);
	CHECK_INT(web_auth_put_user(path, "", h2, err, sizeof err), -1);

	struct web_auth *a = web_auth_new(path, 60, 2, err, sizeof err);
	CHECK(a != NULL);
	if (!a)
		return check_summary();
	CHECK_INT(web_auth_users(a), 2);

	/* An anonymous session, its token, then a login that replaces it. */
	char sid[WEB_AUTH_SID_LEN + 1], sid2[WEB_AUTH_SID_LEN + 1], user_sid[WEB_AUTH_SID_LEN + 1];
	int is_new;
	CHECK_STR(web_auth_session(a, NULL, 100, sid, &is_new), "");
	CHECK_INT(is_new, 1);
	CHECK_INT(strlen(sid), WEB_AUTH_SID_LEN);
	CHECK_STR(web_auth_session(a, sid, 110, sid2, &is_new), "");
	CHECK_INT(is_new, 0);
	CHECK_STR(sid2, sid);
	const char *csrf = web_auth_csrf(a, sid);
	CHECK_INT(strlen(csrf), WEB_AUTH_SID_LEN);
	CHECK(strcmp(csrf, sid) != 0);
	CHECK(web_auth_csrf_ok(a, sid, csrf));
	CHECK(!web_auth_csrf_ok(a, sid, "forged"));
	CHECK(!web_auth_csrf_ok(a, sid, NULL));
	CHECK(!web_auth_csrf_ok(a, "nosuchsession", csrf));

	CHECK_INT(web_auth_login(a, "10.0.0.1", sid, "张三", "correct horse", 120, user_sid), -1);
	CHECK_INT(web_auth_login(a, "10.0.0.1", sid, "张三", "second pw", 121, user_sid), 0);
	CHECK(strcmp(user_sid, sid) != 0);
	CHECK_STR(web_auth_csrf(a, sid), ""); /* the anonymous session is gone */
	CHECK_STR(web_auth_session(a, user_sid, 130, sid2, &is_new), "张三");
	CHECK_INT(is_new, 0);
	/* Sessions lapse without use. */
	CHECK_STR(web_auth_session(a, user_sid, 130 + 61, sid2, &is_new), "");
	CHECK_INT(is_new, 1);

	/* Two failures per address per window: the third try is refused unchecked, another
	 * address is not affected, and the window passes. */
	CHECK_INT(web_auth_login(a, "10.0.0.2", NULL, "li", "x", 200, user_sid), -1);
	CHECK_INT(web_auth_login(a, "10.0.0.2", NULL, "nobody", "x", 201, user_sid), -1);
	CHECK_INT(web_auth_login(a, "10.0.0.2", NULL, "li", "second pw", 202, user_sid), -2);
	CHECK_INT(web_auth_login(a, "10.0.0.3", NULL, "li", "second pw", 203, user_sid), 0);
	CHECK_INT(web_auth_login(a, "10.0.0.2", NULL, "li", "second pw", 200 + WEB_AUTH_WINDOW_S,
				 user_sid),
		  0);
	web_auth_logout(a, user_sid);
	CHECK_STR(web_auth_session(a, user_sid, 2000, sid2, &is_new), "");
	web_auth_free(a);

	/* A users file others may read is refused; so is a line that is not name:hash. */
	chmod(path, 0644);
	a = web_auth_new(path, 60, 2, err, sizeof err);
	CHECK(a == NULL);
	CHECK_CONTAINS(err, "accessible to others");
	CHECK_INT(web_auth_put_user(path, "x", hash, err, sizeof err), -1);
	chmod(path, 0600);
	FILE *f = fopen(path, "a");
	fputs("plain:password\n", f);
	fclose(f);
	a = web_auth_new(path, 60, 2, err, sizeof err);
	CHECK(a == NULL);
	CHECK_CONTAINS(err, ":3: not a \"name:hash\" line");
	/* No users file: nobody can log in. */
	a = web_auth_new("", 60, 2, err, sizeof err);
	CHECK(a != NULL && web_auth_users(a) == 0);
	CHECK_INT(web_auth_login(a, "10.0.0.9", NULL, "张三", "second pw", 1, user_sid), -1);
	web_auth_free(a);
	unlink(path);
	rmdir(dir);
	return check_summary();
}
