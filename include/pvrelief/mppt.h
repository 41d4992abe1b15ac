/* Dead strings: an inverter's DC inputs (MPPTs or strings, SunSpec model 160) judged against
 * one another. A blown string fuse shows as one input near zero while its siblings produce;
 * dawn, dusk, snow and shade take all inputs down together, or one only for a while (the
 * alert's raise delay covers that). Pure: no I/O. */
#ifndef PVRELIEF_MPPT_H
#define PVRELIEF_MPPT_H

#include <stddef.h>

/* An input below this share of its siblings' median current is dead. */
#define MPPT_DEAD_RATIO 0.1
/* A dead input is alive again only above this share: between the two nothing changes, so that
 * a string hovering near the line does not raise and clear in turn. */
#define MPPT_ALIVE_RATIO 0.5
/* Inputs are judged only while their siblings' median current is above this (A): at dawn,
 * dusk and under snow every input is near zero and nothing can be said. */
#define MPPT_MIN_SIBLING_A 1.0

enum mppt_verdict { MPPT_UNKNOWN = -1, MPPT_ALIVE = 0, MPPT_DEAD = 1 };

/* Judges the DC inputs whose currents are dca (n, only read; inputs are taken to be of equal
 * size, as the configuration says nothing of their strings): the weakest input against the
 * median of the others. Writes the weakest input's index (0-based) into *weakest and its ratio
 * to the others' median into *ratio (NAN when not judged), and returns the verdict. */
enum mppt_verdict mppt_judge(const double *dca, size_t n, size_t *weakest, double *ratio);

#endif
