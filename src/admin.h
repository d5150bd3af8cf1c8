/* admin: the command-line set-up of a deployment's reference data:
 * agencies and their WhatsApp numbers, categories, teams and members.
 * (The dashboard's admin pages will do the same over the API.) */
#ifndef ADUAN_ADMIN_H
#define ADUAN_ADMIN_H

#include "core/config.h"
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

/* `aduan backup FILE [--gzip] [--no-media]` and `aduan restore FILE --to
 * URL [--media-to DIR]` (issue 19 §4, docs/DEPLOY.md "Backup and
 * restore"): the database through store/backup.h, the media directory as
 * FILE.media.tar beside it. Exit codes as above. */
extern const char admin_usage_backup[], admin_usage_restore[];
int admin_backup(const config_t *cfg, int argc, char **argv);
int admin_restore(const config_t *cfg, int argc, char **argv);

#endif
