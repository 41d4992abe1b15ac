#include "pvrelief/timefmt.h"

#include <math.h>
#include <time.h>

void timefmt_local(double unix_s, int utc_offset_s, char *buf, unsigned len)
{
	/* gmtime_r of the shifted instant, not localtime_r: the county's offset, not the
	 * machine's zone, decides the local time. */
	time_t t = (time_t)floor(unix_s) + utc_offset_s;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}
