/* admin: the command-line set-up of a deployment's reference data:
 * agencies and their WhatsApp numbers, categories, teams and members.
 * (The dashboard's admin pages will do the same over the API.) */
#ifndef ADUAN_ADMIN_H
#define ADUAN_ADMIN_H

#include "store/store.h"

/* Usage text of the commands below. */
extern const char admin_usage_agency[], admin_usage_category[], admin_usage_team[],
    admin_usage_region[];

/* `aduan agency|category|team ARGS...`: argv[0] is the subcommand.
 * Returns the process exit code (0, 1 failure, 2 usage). */
int admin_agency(store_t *s, int argc, char **argv);
int admin_category(store_t *s, int argc, char **argv);
int admin_team(store_t *s, int argc, char **argv);
/* `aduan region import FILE.geojson | list`: kecamatan boundaries. */
int admin_region(store_t *s, int argc, char **argv);

#endif
