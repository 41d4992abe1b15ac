#include "pvrelief/solar.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <time.h>

/*
 * Sun position: NREL Solar Position Algorithm, I. Reda and A. Andreas, "Solar Position
 * Algorithm for Solar Radiation Applications", NREL/TP-560-34302 (2003, revised 2008), and
 * Solar Energy 76 (2004) 577-589. Section numbers below refer to that report. The periodic
 * terms are those of its Tables A4.2 (earth heliocentric longitude, latitude, radius, from
 * VSOP87) and A4.3 (nutation).
 */

#define PI 3.14159265358979323846
#define DEG (PI / 180.0)

/* One periodic term A cos(B + C x). */
struct term {
	double a, b, c;
};

struct series {
	const struct term *t;
	size_t n;
};

#define SERIES(x)                                                                                  \
	{                                                                                          \
		x, sizeof x / sizeof x[0]                                                          \
	}

static const struct term L0[] = {
    {175347046.0, 0, 0},
    {3341656.0, 4.6692568, 6283.07585},
    {34894.0, 4.6261, 12566.1517},
    {3497.0, 2.7441, 5753.3849},
    {3418.0, 2.8289, 3.5231},
    {3136.0, 3.6277, 77713.7715},
    {2676.0, 4.4181, 7860.4194},
    {2343.0, 6.1352, 3930.2097},
    {1324.0, 0.7425, 11506.7698},
    {1273.0, 2.0371, 529.691},
    {1199.0, 1.1096, 1577.3435},
    {990, 5.233, 5884.927},
    {902, 2.045, 26.298},
    {857, 3.508, 398.149},
    {780, 1.179, 5223.694},
    {753, 2.533, 5507.553},
    {505, 4.583, 18849.228},
    {492, 4.205, 775.523},
    {357, 2.92, 0.067},
    {317, 5.849, 11790.629},
    {284, 1.899, 796.298},
    {271, 0.315, 10977.079},
    {243, 0.345, 5486.778},
    {206, 4.806, 2544.314},
    {205, 1.869, 5573.143},
    {202, 2.458, 6069.777},
    {156, 0.833, 213.299},
    {132, 3.411, 2942.463},
    {126, 1.083, 20.775},
    {115, 0.645, 0.98},
    {103, 0.636, 4694.003},
    {102, 0.976, 15720.839},
    {102, 4.267, 7.114},
    {99, 6.21, 2146.17},
    {98, 0.68, 155.42},
    {86, 5.98, 161000.69},
    {85, 1.3, 6275.96},
    {85, 3.67, 71430.7},
    {80, 1.81, 17260.15},
    {79, 3.04, 12036.46},
    {75, 1.76, 5088.63},
    {74, 3.5, 3154.69},
    {74, 4.68, 801.82},
    {70, 0.83, 9437.76},
    {62, 3.98, 8827.39},
    {61, 1.82, 7084.9},
    {57, 2.78, 6286.6},
    {56, 4.39, 14143.5},
    {56, 3.47, 6279.55},
    {52, 0.19, 12139.55},
    {52, 1.33, 1748.02},
    {51, 0.28, 5856.48},
    {49, 0.49, 1194.45},
    {41, 5.37, 8429.24},
    {41, 2.4, 19651.05},
    {39, 6.17, 10447.39},
    {37, 6.04, 10213.29},
    {37, 2.57, 1059.38},
    {36, 1.71, 2352.87},
    {36, 1.78, 6812.77},
    {33, 0.59, 17789.85},
    {30, 0.44, 83996.85},
    {30, 2.74, 1349.87},
    {25, 3.16, 4690.48},
};

static const struct term L1[] = {
    {628331966747.0, 0, 0},
    {206059.0, 2.678235, 6283.07585},
    {4303.0, 2.6351, 12566.1517},
    {425, 1.59, 3.523},
    {119, 5.796, 26.298},
    {109, 2.966, 1577.344},
    {93, 2.59, 18849.23},
    {72, 1.14, 529.69},
    {68, 1.87, 398.15},
    {67, 4.41, 5507.55},
    {59, 2.89, 5223.69},
    {56, 2.17, 155.42},
    {45, 0.4, 796.3},
    {36, 0.47, 775.52},
    {29, 2.65, 7.11},
    {21, 5.34, 0.98},
    {19, 1.85, 5486.78},
    {19, 4.97, 213.3},
    {17, 2.99, 6275.96},
    {16, 0.03, 2544.31},
    {16, 1.43, 2146.17},
    {15, 1.21, 10977.08},
    {12, 2.83, 1748.02},
    {12, 3.26, 5088.63},
    {12, 5.27, 1194.45},
    {12, 2.08, 4694},
    {11, 0.77, 553.57},
    {10, 1.3, 6286.6},
    {10, 4.24, 1349.87},
    {9, 2.7, 242.73},
    {9, 5.64, 951.72},
    {8, 5.3, 2352.87},
    {6, 2.65, 9437.76},
    {6, 4.67, 4690.48},
};

static const struct term L2[] = {
    {52919, 0, 0},     {8720, 1.0721, 6283.0758}, {309, 0.867, 12566.152}, {27, 0.05, 3.52},
    {16, 5.19, 26.3},  {16, 3.68, 155.42},	  {10, 0.76, 18849.23},	   {9, 2.06, 77713.77},
    {7, 0.83, 775.52}, {5, 4.66, 1577.34},	  {4, 1.03, 7.11},	   {4, 3.44, 5573.14},
    {3, 5.14, 796.3},  {3, 6.05, 5507.55},	  {3, 1.19, 242.73},	   {3, 6.12, 529.69},
    {3, 0.31, 398.15}, {3, 2.28, 553.57},	  {2, 4.38, 5223.69},	   {2, 3.75, 0.98},
};

static const struct term L3[] = {
    {289, 5.844, 6283.076}, {35, 0, 0},		{17, 5.49, 12566.15}, {3, 5.2, 155.42},
    {1, 4.72, 3.52},	    {1, 5.3, 18849.23}, {1, 5.97, 242.73},
};

static const struct term L4[] = {
    {114, 3.142, 0},
    {8, 4.13, 6283.08},
    {1, 3.84, 12566.15},
};

static const struct term L5[] = {
    {1, 3.14, 0},
};

static const struct term B0[] = {
    {280, 3.199, 84334.662}, {102, 5.422, 5507.553}, {80, 3.88, 5223.69},
    {44, 3.7, 2352.87},	     {32, 4, 1577.34},
};

static const struct term B1[] = {
    {9, 3.9, 5507.55},
    {6, 1.73, 5223.69},
};

static const struct term R0[] = {
    {100013989.0, 0, 0},
    {1670700.0, 3.0984635, 6283.07585},
    {13956.0, 3.05525, 12566.1517},
    {3084.0, 5.1985, 77713.7715},
    {1628.0, 1.1739, 5753.3849},
    {1576.0, 2.8469, 7860.4194},
    {925, 5.453, 11506.77},
    {542, 4.564, 3930.21},
    {472, 3.661, 5884.927},
    {346, 0.964, 5507.553},
    {329, 5.9, 5223.694},
    {307, 0.299, 5573.143},
    {243, 4.273, 11790.629},
    {212, 5.847, 1577.344},
    {186, 5.022, 10977.079},
    {175, 3.012, 18849.228},
    {110, 5.055, 5486.778},
    {98, 0.89, 6069.78},
    {86, 5.69, 15720.84},
    {86, 1.27, 161000.69},
    {65, 0.27, 17260.15},
    {63, 0.92, 529.69},
    {57, 2.01, 83996.85},
    {56, 5.24, 71430.7},
    {49, 3.25, 2544.31},
    {47, 2.58, 775.52},
    {45, 5.54, 9437.76},
    {43, 6.01, 6275.96},
    {39, 5.36, 4694},
    {38, 2.39, 8827.39},
    {37, 0.83, 19651.05},
    {37, 4.9, 12139.55},
    {36, 1.67, 12036.46},
    {35, 1.84, 2942.46},
    {33, 0.24, 7084.9},
    {32, 0.18, 5088.63},
    {32, 1.78, 398.15},
    {28, 1.21, 6286.6},
    {28, 1.9, 6279.55},
    {26, 4.59, 10447.39},
};

static const struct term R1[] = {
    {103019, 1.10749, 6283.07585},
    {1721, 1.0644, 12566.1517},
    {702, 3.142, 0},
    {32, 1.02, 18849.23},
    {31, 2.84, 5507.55},
    {25, 1.32, 5223.69},
    {18, 1.42, 1577.34},
    {10, 5.91, 10977.08},
    {9, 1.42, 6275.96},
    {9, 0.27, 5486.78},
};

static const struct term R2[] = {
    {4359, 5.7846, 6283.0758}, {124, 5.579, 12566.152}, {12, 3.14, 0},
    {9, 3.63, 77713.77},       {6, 1.87, 5573.14},	{3, 5.47, 18849.23},
};

static const struct term R3[] = {
    {145, 4.273, 6283.076},
    {7, 3.92, 12566.15},
};

static const struct term R4[] = {
    {4, 2.56, 6283.08},
};

static const struct series L_SERIES[] = {SERIES(L0), SERIES(L1), SERIES(L2),
					 SERIES(L3), SERIES(L4), SERIES(L5)};
static const struct series B_SERIES[] = {SERIES(B0), SERIES(B1)};
static const struct series R_SERIES[] = {SERIES(R0), SERIES(R1), SERIES(R2), SERIES(R3),
					 SERIES(R4)};

/* Table A4.3: multipliers of X0..X4 in each nutation argument, then the coefficients
 * a, b (longitude) and c, d (obliquity) in units of 0.0001 arcsec. */
struct nutation_term {
	signed char y[5];
	double a, b, c, d;
};

static const struct nutation_term NUTATION[] = {
    {{0, 0, 0, 0, 1}, -171996, -174.2, 92025, 8.9},
    {{-2, 0, 0, 2, 2}, -13187, -1.6, 5736, -3.1},
    {{0, 0, 0, 2, 2}, -2274, -0.2, 977, -0.5},
    {{0, 0, 0, 0, 2}, 2062, 0.2, -895, 0.5},
    {{0, 1, 0, 0, 0}, 1426, -3.4, 54, -0.1},
    {{0, 0, 1, 0, 0}, 712, 0.1, -7, 0},
    {{-2, 1, 0, 2, 2}, -517, 1.2, 224, -0.6},
    {{0, 0, 0, 2, 1}, -386, -0.4, 200, 0},
    {{0, 0, 1, 2, 2}, -301, 0, 129, -0.1},
    {{-2, -1, 0, 2, 2}, 217, -0.5, -95, 0.3},
    {{-2, 0, 1, 0, 0}, -158, 0, 0, 0},
    {{-2, 0, 0, 2, 1}, 129, 0.1, -70, 0},
    {{0, 0, -1, 2, 2}, 123, 0, -53, 0},
    {{2, 0, 0, 0, 0}, 63, 0, 0, 0},
    {{0, 0, 1, 0, 1}, 63, 0.1, -33, 0},
    {{2, 0, -1, 2, 2}, -59, 0, 26, 0},
    {{0, 0, -1, 0, 1}, -58, -0.1, 32, 0},
    {{0, 0, 1, 2, 1}, -51, 0, 27, 0},
    {{-2, 0, 2, 0, 0}, 48, 0, 0, 0},
    {{0, 0, -2, 2, 1}, 46, 0, -24, 0},
    {{2, 0, 0, 2, 2}, -38, 0, 16, 0},
    {{0, 0, 2, 2, 2}, -31, 0, 13, 0},
    {{0, 0, 2, 0, 0}, 29, 0, 0, 0},
    {{-2, 0, 1, 2, 2}, 29, 0, -12, 0},
    {{0, 0, 0, 2, 0}, 26, 0, 0, 0},
    {{-2, 0, 0, 2, 0}, -22, 0, 0, 0},
    {{0, 0, -1, 2, 1}, 21, 0, -10, 0},
    {{0, 2, 0, 0, 0}, 17, -0.1, 0, 0},
    {{2, 0, -1, 0, 1}, 16, 0, -8, 0},
    {{-2, 2, 0, 2, 2}, -16, 0.1, 7, 0},
    {{0, 1, 0, 0, 1}, -15, 0, 9, 0},
    {{-2, 0, 1, 0, 1}, -13, 0, 7, 0},
    {{0, -1, 0, 0, 1}, -12, 0, 6, 0},
    {{0, 0, 2, -2, 0}, 11, 0, 0, 0},
    {{2, 0, -1, 2, 1}, -10, 0, 5, 0},
    {{2, 0, 1, 2, 2}, -8, 0, 3, 0},
    {{0, 1, 0, 2, 2}, 7, 0, -3, 0},
    {{-2, 1, 1, 0, 0}, -7, 0, 0, 0},
    {{0, -1, 0, 2, 2}, -7, 0, 3, 0},
    {{2, 0, 0, 2, 1}, -7, 0, 3, 0},
    {{2, 0, 1, 0, 0}, 6, 0, 0, 0},
    {{-2, 0, 2, 2, 2}, 6, 0, -3, 0},
    {{-2, 0, 1, 2, 1}, 6, 0, -3, 0},
    {{2, 0, -2, 0, 1}, -6, 0, 3, 0},
    {{2, 0, 0, 0, 1}, -6, 0, 3, 0},
    {{0, -1, 1, 0, 0}, 5, 0, 0, 0},
    {{-2, -1, 0, 2, 1}, -5, 0, 3, 0},
    {{-2, 0, 0, 0, 1}, -5, 0, 3, 0},
    {{0, 0, 2, 2, 1}, -5, 0, 3, 0},
    {{-2, 0, 2, 0, 1}, 4, 0, 0, 0},
    {{-2, 1, 0, 2, 1}, 4, 0, 0, 0},
    {{0, 0, 1, -2, 0}, 4, 0, 0, 0},
    {{-1, 0, 1, 0, 0}, -4, 0, 0, 0},
    {{-2, 1, 0, 0, 0}, -4, 0, 0, 0},
    {{1, 0, 0, 0, 0}, -4, 0, 0, 0},
    {{0, 0, 1, 2, 0}, 3, 0, 0, 0},
    {{0, 0, -2, 2, 2}, -3, 0, 0, 0},
    {{-1, -1, 1, 0, 0}, -3, 0, 0, 0},
    {{0, 1, 1, 0, 0}, -3, 0, 0, 0},
    {{0, -1, 1, 2, 2}, -3, 0, 0, 0},
    {{2, -1, -1, 2, 2}, -3, 0, 0, 0},
    {{0, 0, 3, 2, 2}, -3, 0, 0, 0},
    {{2, -1, 0, 2, 2}, -3, 0, 0, 0},
};

/* The sun's semidiameter and the refraction at the horizon, in deg (SPA 3.14): below
 * -(their sum) the sun is wholly set and no refraction correction applies. */
#define SUN_RADIUS_DEG 0.26667
#define HORIZON_REFRACTION_DEG 0.5667

static double limit_deg(double x)
{
	x = fmod(x, 360.0);
	return x < 0 ? x + 360.0 : x;
}

/* Evaluates sum_i x^i sum_k A cos(B + C x) over a list of series (SPA 3.2.1-3.2.5). */
static double periodic_sum(const struct series *s, size_t n, double jme)
{
	double total = 0.0, power = 1.0;
	for (size_t i = 0; i < n; i++) {
		double sum = 0.0;
		for (size_t k = 0; k < s[i].n; k++)
			sum += s[i].t[k].a * cos(s[i].t[k].b + s[i].t[k].c * jme);
		total += sum * power;
		power *= jme;
	}
	return total / 1e8;
}

/* Nutation in longitude and obliquity in deg (SPA 3.4). */
static void nutation(double jce, double *dpsi_deg, double *deps_deg)
{
	double jce2 = jce * jce, jce3 = jce2 * jce;
	double x[5] = {
	    297.85036 + 445267.111480 * jce - 0.0019142 * jce2 + jce3 / 189474.0,
	    357.52772 + 35999.050340 * jce - 0.0001603 * jce2 - jce3 / 300000.0,
	    134.96298 + 477198.867398 * jce + 0.0086972 * jce2 + jce3 / 56250.0,
	    93.27191 + 483202.017538 * jce - 0.0036825 * jce2 + jce3 / 327270.0,
	    125.04452 - 1934.136261 * jce + 0.0020708 * jce2 + jce3 / 450000.0,
	};
	double dpsi = 0.0, deps = 0.0;
	for (size_t i = 0; i < sizeof NUTATION / sizeof NUTATION[0]; i++) {
		const struct nutation_term *t = &NUTATION[i];
		double arg = 0.0;
		for (int j = 0; j < 5; j++)
			arg += x[j] * t->y[j];
		arg *= DEG;
		dpsi += (t->a + t->b * jce) * sin(arg);
		deps += (t->c + t->d * jce) * cos(arg);
	}
	*dpsi_deg = dpsi / 36000000.0;
	*deps_deg = deps / 36000000.0;
}

/* Mean obliquity of the ecliptic in arcsec (SPA 3.5.1), U = JME / 10. */
static double mean_obliquity_arcsec(double jme)
{
	static const double c[] = {84381.448, -4680.93, -1.55, 1999.25, -51.38, -249.67,
				   -39.05,    7.12,	27.87, 5.79,	2.45};
	double u = jme / 10.0, sum = 0.0;
	for (int i = (int)(sizeof c / sizeof c[0]) - 1; i >= 0; i--)
		sum = sum * u + c[i];
	return sum;
}

int solar_position(double unix_time_s, double lat_deg, double lon_deg, double altitude_m,
		   double pressure_hpa, double air_temp_c, double delta_t_s,
		   struct solar_position *out)
{
	/* The ranges are those SPA accepts; a NaN fails every comparison and is refused too. */
	if (!(isfinite(unix_time_s) && lat_deg >= -90 && lat_deg <= 90 && lon_deg >= -180 &&
	      lon_deg <= 180 && altitude_m >= -6500000 && pressure_hpa > 0 &&
	      pressure_hpa <= 5000 && air_temp_c > -273 && air_temp_c <= 6000 &&
	      delta_t_s >= -8000 && delta_t_s <= 8000))
		return -EINVAL;

	/* 3.1: Julian day from unix time; UT1 - UTC (under 0.9 s) is neglected. */
	double jd = unix_time_s / 86400.0 + 2440587.5;
	double jde = jd + delta_t_s / 86400.0;
	double jc = (jd - 2451545.0) / 36525.0;
	double jce = (jde - 2451545.0) / 36525.0;
	double jme = jce / 10.0;

	/* 3.2-3.3: earth heliocentric position, then the sun's geocentric one. */
	double l_deg = limit_deg(periodic_sum(L_SERIES, 6, jme) / DEG);
	double b_deg = periodic_sum(B_SERIES, 2, jme) / DEG;
	double r_au = periodic_sum(R_SERIES, 5, jme);
	double theta_deg = limit_deg(l_deg + 180.0);
	double beta_deg = -b_deg;

	/* 3.4-3.8: nutation, obliquity, aberration, apparent longitude, sidereal time. */
	double dpsi, deps;
	nutation(jce, &dpsi, &deps);
	double eps_deg = mean_obliquity_arcsec(jme) / 3600.0 + deps;
	double dtau_deg = -20.4898 / (3600.0 * r_au);
	double lambda_deg = theta_deg + dpsi + dtau_deg;
	double nu0 = limit_deg(280.46061837 + 360.98564736629 * (jd - 2451545.0) +
			       0.000387933 * jc * jc - jc * jc * jc / 38710000.0);
	double nu_deg = nu0 + dpsi * cos(eps_deg * DEG);

	/* 3.9-3.10: geocentric right ascension and declination. */
	double lambda = lambda_deg * DEG, eps = eps_deg * DEG, beta = beta_deg * DEG;
	double alpha_deg =
	    limit_deg(atan2(sin(lambda) * cos(eps) - tan(beta) * sin(eps), cos(lambda)) / DEG);
	double delta = asin(sin(beta) * cos(eps) + cos(beta) * sin(eps) * sin(lambda));

	/* 3.11-3.12: observer hour angle, parallax, topocentric coordinates. */
	double h = limit_deg(nu_deg + lon_deg - alpha_deg) * DEG;
	double xi = 8.794 / (3600.0 * r_au) * DEG;
	double lat = lat_deg * DEG;
	double u = atan(0.99664719 * tan(lat));
	double x = cos(u) + altitude_m / 6378140.0 * cos(lat);
	double y = 0.99664719 * sin(u) + altitude_m / 6378140.0 * sin(lat);
	double den = cos(delta) - x * sin(xi) * cos(h);
	double dalpha = atan2(-x * sin(xi) * sin(h), den);
	double delta_p = atan2((sin(delta) - y * sin(xi)) * cos(dalpha), den);
	double h_p = h - dalpha;

	/* 3.14: elevation, with refraction only while some of the sun can be above the
	 * horizon. */
	double e0_deg = asin(sin(lat) * sin(delta_p) + cos(lat) * cos(delta_p) * cos(h_p)) / DEG;
	double de_deg = 0.0;
	if (e0_deg >= -(SUN_RADIUS_DEG + HORIZON_REFRACTION_DEG))
		de_deg = pressure_hpa / 1010.0 * 283.0 / (273.0 + air_temp_c) * 1.02 /
			 (60.0 * tan((e0_deg + 10.3 / (e0_deg + 5.11)) * DEG));
	double e_deg = e0_deg + de_deg;

	/* 3.15: azimuth, measured from north eastward. */
	double gamma_deg = atan2(sin(h_p), cos(h_p) * sin(lat) - tan(delta_p) * cos(lat)) / DEG;

	out->elevation_deg = e_deg;
	out->zenith_deg = 90.0 - e_deg;
	out->azimuth_deg = limit_deg(gamma_deg + 180.0);
	out->declination_deg = delta / DEG;
	out->earth_sun_au = r_au;
	out->dni_extra_w_m2 = SOLAR_CONSTANT_W_M2 / (r_au * r_au);
	return 0;
}

/* Cosine of the angle of incidence, clamped to [-1, 1] against rounding. */
static double cos_incidence(const struct solar_position *sp, double tilt_deg,
			    double surface_azimuth_deg)
{
	double z = sp->zenith_deg * DEG, t = tilt_deg * DEG;
	double c =
	    cos(z) * cos(t) + sin(z) * sin(t) * cos((sp->azimuth_deg - surface_azimuth_deg) * DEG);
	return c > 1.0 ? 1.0 : c < -1.0 ? -1.0 : c;
}

double solar_incidence_deg(const struct solar_position *sp, double tilt_deg,
			   double surface_azimuth_deg)
{
	return acos(cos_incidence(sp, tilt_deg, surface_azimuth_deg)) / DEG;
}

double solar_airmass_relative(double zenith_deg)
{
	/* The formula holds up to the horizon; past it there is no direct path through the
	 * atmosphere, so the horizon value stands for the whole night rather than a NaN. */
	if (!(zenith_deg < 90.0))
		zenith_deg = 90.0;
	if (zenith_deg < 0.0)
		zenith_deg = 0.0;
	return 1.0 / (cos(zenith_deg * DEG) + 0.50572 * pow(96.07995 - zenith_deg, -1.6364));
}

double solar_airmass_absolute(double airmass_relative, double pressure_hpa)
{
	return airmass_relative * pressure_hpa / 1013.25;
}

double solar_pressure_hpa(double altitude_m)
{
	/* Standard atmosphere, as in pvlib's alt2pres: p = 100 ((44331.514 - h) / 11880.516)
	 * ^ (1 / 0.1902632) Pa. */
	return pow((44331.514 - altitude_m) / 11880.516, 1.0 / 0.1902632);
}

static void irradiance_zero(struct solar_irradiance *out)
{
	out->ghi_w_m2 = out->dni_w_m2 = out->dhi_w_m2 = 0.0;
}

void solar_clearsky_ineichen_am(double zenith_deg, double airmass_absolute, double linke_turbidity,
				double altitude_m, double dni_extra_w_m2,
				struct solar_irradiance *out)
{
	double cos_z = cos(zenith_deg * DEG);
	if (!(zenith_deg < 90.0) || !(cos_z > 0.0) || !(airmass_absolute > 0.0) ||
	    !(dni_extra_w_m2 > 0.0) || !(linke_turbidity > 0.0)) {
		irradiance_zero(out);
		return;
	}
	/* Ineichen and Perez (2002), Solar Energy 73(3) 151-157, eq. 9-11, without the
	 * exp(0.01 AM^1.8) enhancement that pvlib also leaves out by default. */
	double tl = linke_turbidity, am = airmass_absolute;
	double fh1 = exp(-altitude_m / 8000.0), fh2 = exp(-altitude_m / 1250.0);
	double cg1 = 5.09e-5 * altitude_m + 0.868, cg2 = 3.92e-5 * altitude_m + 0.0387;
	double ghi = cg1 * dni_extra_w_m2 * cos_z * exp(-cg2 * am * (fh1 + fh2 * (tl - 1.0)));
	double b = 0.664 + 0.163 / fh1;
	double dni = dni_extra_w_m2 * b * exp(-0.09 * am * (tl - 1.0));
	/* The beam may not exceed the share of the global the model allows it; dividing by
	 * cos_z is safe because ghi carries the same factor. */
	double dni_cap = ghi * (1.0 - (0.1 - 0.2 * exp(-tl)) / (0.1 + 0.882 / fh1)) / cos_z;
	if (dni_cap < 0.0)
		dni_cap = 0.0;
	if (dni > dni_cap)
		dni = dni_cap;
	out->ghi_w_m2 = ghi;
	out->dni_w_m2 = dni;
	out->dhi_w_m2 = ghi - dni * cos_z > 0.0 ? ghi - dni * cos_z : 0.0;
}

void solar_clearsky_ineichen(const struct solar_position *sp, double altitude_m,
			     double linke_turbidity, struct solar_irradiance *out)
{
	double am = solar_airmass_absolute(solar_airmass_relative(sp->zenith_deg),
					   solar_pressure_hpa(altitude_m));
	solar_clearsky_ineichen_am(sp->zenith_deg, am, linke_turbidity, altitude_m,
				   sp->dni_extra_w_m2, out);
}

/* Below cos(zenith) = 0.065 (zenith about 86.3 deg) the clearness index is computed as if the
 * sun were there, and past 87 deg no beam is attributed: as pvlib does, so that a few W/m2 of
 * horizon light are not turned into thousands of W/m2 of DNI. */
#define ERBS_MIN_COS_ZENITH 0.065
#define ERBS_MAX_ZENITH_DEG 87.0

void solar_decompose_erbs(double ghi_w_m2, const struct solar_position *sp,
			  struct solar_irradiance *out)
{
	double cos_z = cos(sp->zenith_deg * DEG);
	if (!(sp->zenith_deg < 90.0) || !(ghi_w_m2 > 0.0) || !(sp->dni_extra_w_m2 > 0.0)) {
		irradiance_zero(out);
		return;
	}
	double kt = ghi_w_m2 / (sp->dni_extra_w_m2 *
				(cos_z > ERBS_MIN_COS_ZENITH ? cos_z : ERBS_MIN_COS_ZENITH));
	/* Erbs, Klein and Duffie (1982), Solar Energy 28(4) 293-302: diffuse fraction. */
	double df;
	if (kt <= 0.22)
		df = 1.0 - 0.09 * kt;
	else if (kt <= 0.80)
		df = 0.9511 + kt * (-0.1604 + kt * (4.388 + kt * (-16.638 + kt * 12.336)));
	else
		df = 0.165;
	out->ghi_w_m2 = ghi_w_m2;
	if (sp->zenith_deg > ERBS_MAX_ZENITH_DEG) {
		/* pvlib keeps dhi = df ghi here; all-diffuse keeps ghi = dhi + dni cos z. */
		out->dni_w_m2 = 0.0;
		out->dhi_w_m2 = ghi_w_m2;
		return;
	}
	out->dhi_w_m2 = df * ghi_w_m2;
	out->dni_w_m2 = (ghi_w_m2 - out->dhi_w_m2) / cos_z;
}

/* Hay-Davies divides by cos(zenith); at the horizon it would blow up, so it is held at
 * cos(89 deg) as pvlib does. */
#define HAY_DAVIES_MIN_COS_ZENITH 0.01745

void solar_poa(enum solar_transposition model, const struct solar_irradiance *irr,
	       const struct solar_position *sp, double tilt_deg, double surface_azimuth_deg,
	       double albedo, struct solar_poa *out)
{
	out->global_w_m2 = out->beam_w_m2 = out->sky_diffuse_w_m2 = out->ground_w_m2 = 0.0;
	if (!(sp->zenith_deg < 90.0))
		return;
	double ghi = irr->ghi_w_m2 > 0.0 ? irr->ghi_w_m2 : 0.0;
	double dni = irr->dni_w_m2 > 0.0 ? irr->dni_w_m2 : 0.0;
	double dhi = irr->dhi_w_m2 > 0.0 ? irr->dhi_w_m2 : 0.0;
	double cos_aoi = cos_incidence(sp, tilt_deg, surface_azimuth_deg);
	if (cos_aoi < 0.0)
		cos_aoi = 0.0;
	double sky_view = (1.0 + cos(tilt_deg * DEG)) / 2.0;

	out->beam_w_m2 = dni * cos_aoi;
	out->ground_w_m2 = ghi * (albedo > 0.0 ? albedo : 0.0) * (1.0 - cos(tilt_deg * DEG)) / 2.0;
	switch (model) {
	case SOLAR_HAY_DAVIES: {
		/* Anisotropy index: the share of the diffuse that comes from around the sun. */
		double ai = sp->dni_extra_w_m2 > 0.0 ? dni / sp->dni_extra_w_m2 : 0.0;
		if (ai > 1.0)
			ai = 1.0;
		double cos_z = cos(sp->zenith_deg * DEG);
		double rb = cos_aoi /
			    (cos_z > HAY_DAVIES_MIN_COS_ZENITH ? cos_z : HAY_DAVIES_MIN_COS_ZENITH);
		out->sky_diffuse_w_m2 = dhi * ((1.0 - ai) * sky_view + ai * rb);
		break;
	}
	case SOLAR_ISOTROPIC:
	default:
		out->sky_diffuse_w_m2 = dhi * sky_view;
		break;
	}
	out->global_w_m2 = out->beam_w_m2 + out->sky_diffuse_w_m2 + out->ground_w_m2;
}

double solar_poa_w_m2(enum solar_transposition model, const struct solar_irradiance *irr,
		      const struct solar_position *sp, double tilt_deg, double surface_azimuth_deg,
		      double albedo)
{
	struct solar_poa poa;
	solar_poa(model, irr, sp, tilt_deg, surface_azimuth_deg, albedo, &poa);
	return poa.global_w_m2;
}

double solar_module_temp_c(double poa_w_m2, double air_temp_c, double wind_m_s, double a, double b)
{
	double g = poa_w_m2 > 0.0 ? poa_w_m2 : 0.0;
	double ws = wind_m_s > 0.0 ? wind_m_s : 0.0;
	return g * exp(a + b * ws) + air_temp_c;
}

double solar_cell_temp_c(double module_temp_c, double poa_w_m2, double delta_t_c)
{
	double g = poa_w_m2 > 0.0 ? poa_w_m2 : 0.0;
	return module_temp_c + g / 1000.0 * delta_t_c;
}

double solar_elevation_approx_deg(double unix_time_s, double lat_deg, double lon_deg)
{
	const double deg = M_PI / 180.0;
	time_t t = (time_t)floor(unix_time_s);
	struct tm tm;
	gmtime_r(&t, &tm);
	double hour =
	    tm.tm_hour + tm.tm_min / 60.0 + (tm.tm_sec + (unix_time_s - (double)t)) / 3600.0;
	int days = (tm.tm_year % 4 == 0) ? 366 : 365;
	double g = 2.0 * M_PI / days * (tm.tm_yday + (hour - 12.0) / 24.0);
	double eqtime_min = 229.18 * (0.000075 + 0.001868 * cos(g) - 0.032077 * sin(g) -
				      0.014615 * cos(2 * g) - 0.040849 * sin(2 * g));
	double decl = 0.006918 - 0.399912 * cos(g) + 0.070257 * sin(g) - 0.006758 * cos(2 * g) +
		      0.000907 * sin(2 * g) - 0.002697 * cos(3 * g) + 0.00148 * sin(3 * g);
	double true_solar_min = hour * 60.0 + eqtime_min + 4.0 * lon_deg;
	double hour_angle = (true_solar_min / 4.0 - 180.0) * deg;
	double cos_zenith =
	    sin(lat_deg * deg) * sin(decl) + cos(lat_deg * deg) * cos(decl) * cos(hour_angle);
	if (cos_zenith > 1)
		cos_zenith = 1;
	if (cos_zenith < -1)
		cos_zenith = -1;
	return 90.0 - acos(cos_zenith) / deg;
}
