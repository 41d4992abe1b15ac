/* Local times as people read them, from unix seconds and the county's UTC offset. Pure: the
 * time is always a parameter. */
#ifndef PVRELIEF_TIMEFMT_H
#define PVRELIEF_TIMEFMT_H

/* Formats unix seconds as local "YYYY-MM-DD HH:MM:SS" at utc_offset_s into buf. */
void timefmt_local(double unix_s, int utc_offset_s, char *buf, unsigned len);

#endif
