/* Linked with every object of the pure library and only libm, jansson and libcrypto: if any
 * pure module calls into SQLite, libmodbus, paho, libcurl, libconfig or the adapters, this
 * program fails to link and so does the build. It is never run. */
int main(void)
{
	return 0;
}
