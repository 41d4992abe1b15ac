/* The time grid every figure is cut into: 5-minute slots for the rollups and the efficiency
 * windows, quarter-hours for the online rate (the KPI counts daylight quarter-hours with a
 * valid reading). Header only. */
#ifndef PVRELIEF_SLOT_H
#define PVRELIEF_SLOT_H

/* Seconds in one rollup slot. */
#define SLOT_S 300
/* Seconds in one quarter-hour of the online rate. */
#define SLOT_QUARTER_S 900

_Static_assert(SLOT_QUARTER_S % SLOT_S == 0, "a quarter-hour is a whole number of slots");
_Static_assert(86400 % SLOT_QUARTER_S == 0, "a day is a whole number of quarter-hours");

#endif
