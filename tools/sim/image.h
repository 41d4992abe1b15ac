/* A device's register image: the Modbus mapping a gateway answers from, rebuilt from the
 * device's current state before each answer. SunSpec devices hold "SunS" and their model chain
 * at holding register 40000; vendor-map devices hold what their map encodes, in holding or
 * input registers as the map's function says. */
#ifndef PVRELIEF_SIM_IMAGE_H
#define PVRELIEF_SIM_IMAGE_H

#include <modbus.h>

struct sim_device;
struct image;

/* Returns a new image for device d sized to cover every register it holds, or NULL (after a
 * log line naming the device) when the device cannot be served, e.g. a vendor map that was
 * not loaded. The caller frees it with image_free. */
struct image *image_new(struct sim_device *d);
/* Frees an image; accepts NULL. */
void image_free(struct image *im);
/* Rewrites the image from d's state and faults (taking d->lock) and returns the mapping to
 * answer from, which stays owned by the image; NULL when encoding failed (logged). */
modbus_mapping_t *image_refresh(struct image *im, struct sim_device *d);

#endif
