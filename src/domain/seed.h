/* seed: the demo deployment for Kabupaten Balangan. */
#ifndef ADUAN_SEED_H
#define ADUAN_SEED_H

#include "store/store.h"

#include <stdio.h>

/* The password every demo user gets; printed by `make run`. Demo only:
 * the demo listens on loopback. */
#define SEED_DEMO_PASSWORD "aduan-demo"

/* Fills an empty, migrated database with the demo agencies, kecamatan,
 * teams, categories, one user per role and a few cases. */
err_t seed_demo(store_t *s, int64_t now) __attribute__((warn_unused_result));

/* Writes the demo logins (user, role, password) to f. */
void seed_print_logins(FILE *f);

/* The 8 kecamatan of Kabupaten Balangan (Kemendagri codes); used by the
 * demo and by `aduan init` for every deployment in the district. */
err_t seed_regions(store_t *s) __attribute__((warn_unused_result));

/* Approximate boundaries of those 8 kecamatan, for the demo (not surveyed:
 * a real deployment imports official ones with `aduan region import`). */
err_t seed_boundaries(store_t *s, int64_t now) __attribute__((warn_unused_result));

#endif
