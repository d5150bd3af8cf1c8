/* dispatch: who is on duty, which team should go, and whether a new case
 * repeats an open one (issue #6). Decisions only: the WhatsApp side of
 * alerts lives in channels/staff.c. */
#ifndef ADUAN_DISPATCH_H
#define ADUAN_DISPATCH_H

#include "store/store.h"

#include <stdbool.h>

#define DISPATCH_WUR __attribute__((warn_unused_result))

/* Minutes east of UTC of an Indonesian zone (WIB +420, WITA +480, WIT
 * +540; none of them has daylight saving); 0 for UTC or an unknown name. */
int dispatch_tz_offset(const char *tz);

/* True when the shift covers the instant now (UTC seconds) in a zone
 * tz_offset minutes east of UTC. Pure. */
bool dispatch_on_duty(const store_duty *d, int64_t now, int tz_offset);

/* The shifts of one agency, read once and asked many times. */
typedef struct {
    store_duty *shifts;
    size_t n;
    int tz_offset;
    int64_t now;
} dispatch_roster;

err_t dispatch_roster_load(store_t *s, arena_t *ar, int64_t agency_id, int64_t now,
                           dispatch_roster *out) DISPATCH_WUR;

/* The distinct members of team on duty now, at most max, into out
 * (borrowed from the roster). Returns how many. */
size_t dispatch_roster_members(const dispatch_roster *r, int64_t team_id, const store_duty **out,
                               size_t max);

typedef struct {
    int64_t team_id;
    const char *team_name;
    bool has_base;
    double base_lat, base_lon;
    double distance_m; /* from the case's location; -1 when either is unknown */
    int on_duty;       /* members on duty now */
    int reachable;     /* of them, with a WhatsApp number */
} dispatch_option;

/* The teams of the case's agency: those with members on duty first,
 * nearest first (teams without a base or a case without a location last
 * among them), then the teams nobody is on duty in. */
err_t dispatch_options(store_t *s, arena_t *ar, const store_case *c, int64_t now,
                       dispatch_option **out, size_t *n) DISPATCH_WUR;

/* The nearest on-duty team not in tried[0..ntried), 0 when none is left. */
int64_t dispatch_pick(const dispatch_option *o, size_t n, const int64_t *tried, size_t ntried);

/* The open case of the same category that c likely repeats: reported
 * within radius_m of c's location and at most window seconds before it.
 * *master is the case followed (a follower's own master), 0 when none. */
err_t dispatch_find_duplicate(store_t *s, arena_t *ar, const store_case *c, unsigned radius_m,
                              int64_t window, int64_t *master) DISPATCH_WUR;

#endif
