#include "pvrelief/reading.h"

#include <stddef.h>
#include <string.h>

static const char *const field_names[RF_COUNT] = {
    [RF_POWER_W] = "power_w",
    [RF_ENERGY_TOTAL_WH] = "energy_total_wh",
    [RF_ENERGY_TODAY_WH] = "energy_today_wh",
    [RF_AC_CURRENT_A] = "ac_current_a",
    [RF_AC_VOLTAGE_V] = "ac_voltage_v",
    [RF_FREQUENCY_HZ] = "frequency_hz",
    [RF_DC_CURRENT_A] = "dc_current_a",
    [RF_DC_VOLTAGE_V] = "dc_voltage_v",
    [RF_DC_POWER_W] = "dc_power_w",
    [RF_CABINET_TEMP_C] = "cabinet_temp_c",
    [RF_RATED_POWER_W] = "rated_power_w",
    [RF_STATE] = "state",
    [RF_EVENTS] = "events",
    [RF_FAULT_CODE] = "fault_code",
    [RF_GHI_W_M2] = "ghi_w_m2",
    [RF_POA_W_M2] = "poa_w_m2",
    [RF_DHI_W_M2] = "dhi_w_m2",
    [RF_DNI_W_M2] = "dni_w_m2",
    [RF_MODULE_TEMP_C] = "module_temp_c",
    [RF_AIR_TEMP_C] = "air_temp_c",
    [RF_WIND_M_S] = "wind_m_s",
    [RF_POWER_LIMIT_PCT] = "power_limit_pct",
};

static const char *const state_names[INV_STATE_COUNT] = {
    [INV_STATE_UNKNOWN] = "unknown",
    [INV_STATE_OFF] = "off",
    [INV_STATE_SLEEPING] = "sleeping",
    [INV_STATE_STARTING] = "starting",
    [INV_STATE_MPPT] = "mppt",
    [INV_STATE_THROTTLED] = "throttled",
    [INV_STATE_SHUTTING_DOWN] = "shutting_down",
    [INV_STATE_FAULT] = "fault",
    [INV_STATE_STANDBY] = "standby",
};

static const char *const event_names[16] = {
    "GROUND_FAULT",	 "DC_OVER_VOLT", "AC_DISCONNECT",   "DC_DISCONNECT",
    "GRID_DISCONNECT",	 "CABINET_OPEN", "MANUAL_SHUTDOWN", "OVER_TEMP",
    "OVER_FREQ",	 "UNDER_FREQ",	 "AC_OVER_VOLT",    "AC_UNDER_VOLT",
    "BLOWN_STRING_FUSE", "UNDER_TEMP",	 "MEMORY_LOSS",	    "HW_TEST_FAILURE",
};

const char *reading_field_name(enum reading_field f)
{
	if ((int)f < 0 || f >= RF_COUNT)
		return NULL;
	return field_names[f];
}

int reading_field_parse(const char *name)
{
	/* Vendor documents speak of alarms; the reading keeps them with the SunSpec events. */
	if (strcmp(name, "alarm") == 0)
		return RF_EVENTS;
	for (int i = 0; i < RF_COUNT; i++)
		if (strcmp(name, field_names[i]) == 0)
			return i;
	return -1;
}

const char *inv_state_name(enum inv_state s)
{
	if ((int)s < 0 || s >= INV_STATE_COUNT)
		return "unknown";
	return state_names[s];
}

int inv_state_parse(const char *name)
{
	for (int i = 0; i < INV_STATE_COUNT; i++)
		if (strcmp(name, state_names[i]) == 0)
			return i;
	return -1;
}

const char *sunspec_event_name(int bit)
{
	if (bit < 0 || bit >= 16)
		return NULL;
	return event_names[bit];
}
