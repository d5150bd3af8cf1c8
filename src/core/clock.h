/* clock: time for the service, in the deployment's time zone.
 *
 * clock_init() sets the process time zone once at start-up (before any
 * thread starts); afterwards the functions are thread-safe. */
#ifndef ADUAN_CLOCK_H
#define ADUAN_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define CLOCK_ISO_BUF 64

/* Sets the process time zone to an IANA name (validated by config). */
void clock_init(const char *timezone);

/* Seconds since the epoch, UTC. */
int64_t clock_now(void);

/* "2026-11-22T23:11:05+08:00" in the process time zone. */
void clock_format(int64_t t, char out[CLOCK_ISO_BUF]);

/* Parses "YYYY-MM-DD" (local midnight; with end_of_day the next midnight)
 * or "YYYY-MM-DDTHH:MM:SS" followed by "Z" or "+HH:MM"/"-HH:MM".
 * Returns 0 and sets *t, or -1. */
int clock_parse(const char *s, int end_of_day, int64_t *t);

#endif
