/* Fuzzes weather_parse, which reads the weather service's JSON answer: the input is the body
 * of an HTTP response. A parsed series must be usable as the efficiency engine uses it:
 * consistent arrays whose values can be interpolated at any instant inside it. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "pvrelief/weather.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct weather_series s = {0};
	char why[256];
	if (weather_parse((const char *)data, size, &s, why, sizeof why) == 0) {
		if (s.n == 0 || s.n > WEATHER_MAX_SAMPLES || !s.time_unix)
			abort();
		struct weather_point p;
		double t0 = s.time_unix[0], t1 = s.time_unix[s.n - 1];
		weather_series_at(&s, t0, &p);
		weather_series_at(&s, (t0 + t1) / 2, &p);
		weather_series_at(&s, t1 - s.step_s / 2, &p);
	} else if (s.n != 0) {
		abort(); /* a failed parse leaves the series empty */
	}
	weather_series_free(&s);
	return 0;
}
