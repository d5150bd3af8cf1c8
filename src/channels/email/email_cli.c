/* `aduan email connect|list`: an agency's mailbox (channel_endpoints). The
 * password is read from a file (never the command line: ps shows it). */
#include "channels/email/email.h"

#include "core/clock.h"
#include "core/secret.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char email_usage[] =
    "aduan email connect AGENCY --imap imaps://HOST[:PORT][/FOLDER] --smtp smtp://HOST:587\n"
    "                   --user LOGIN --password-file FILE --from ADDRESS\n"
    "                   [--starttls try] [--poll-seconds N]\n"
    "       aduan email list";

static bool scheme(const char *url, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return url && ((!strncmp(url, a, la) && url[la]) || (!strncmp(url, b, lb) && url[lb]));
}

/* The first line of path, without its newline; NULL when unreadable. */
static char *read_password(const char *path)
{
    FILE *f = fopen(path, "r");
    char buf[1024];
    if (!f)
        return NULL;
    char *ok = fgets(buf, sizeof buf, f);
    fclose(f);
    if (!ok)
        return NULL;
    buf[strcspn(buf, "\r\n")] = 0;
    return buf[0] ? strdup(buf) : NULL;
}

static int connect_box(const config_t *cfg, store_t *s, int argc, char **argv)
{
    const char *imap = NULL, *smtp = NULL, *user = NULL, *pwfile = NULL, *from = NULL;
    const char *starttls = NULL;
    long poll = 60;
    for (int i = 1; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "aduan: email: '%s' needs a value\n", argv[i]);
            return 2;
        }
        if (!strcmp(argv[i], "--imap"))
            imap = v;
        else if (!strcmp(argv[i], "--smtp"))
            smtp = v;
        else if (!strcmp(argv[i], "--user"))
            user = v;
        else if (!strcmp(argv[i], "--password-file"))
            pwfile = v;
        else if (!strcmp(argv[i], "--from"))
            from = v;
        else if (!strcmp(argv[i], "--starttls") && !strcmp(v, "try"))
            starttls = "try";
        else if (!strcmp(argv[i], "--poll-seconds") && (poll = strtol(v, NULL, 10)) >= 1 &&
                 poll <= 86400)
            ;
        else {
            fprintf(stderr, "aduan: email: unexpected '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!imap || !smtp || !user || !pwfile || !from) {
        fprintf(stderr, "aduan: usage: %s\n", email_usage);
        return 2;
    }
    if (!scheme(imap, "imaps://", "imap://") || !scheme(smtp, "smtps://", "smtp://")) {
        fprintf(stderr, "aduan: email: --imap must be an imaps:// (or imap://) URL and --smtp "
                        "an smtp:// or smtps:// URL\n");
        return 2;
    }
    const char *at = strchr(from, '@');
    if (!at || at == from || !strchr(at, '.') || strpbrk(from, " <>\"\r\n")) {
        fprintf(stderr, "aduan: email: --from must be the mailbox's address\n");
        return 2;
    }
    char *password = read_password(pwfile);
    if (!password) {
        fprintf(stderr, "aduan: email: cannot read a password from %s\n", pwfile);
        return 2;
    }
    arena_t *ar = arena_new();
    store_agency a;
    int rc = 0;
    if (!ar || store_agency_find(s, ar, argv[0], &a) != ERR_OK) {
        fprintf(stderr, "aduan: email: no agency '%s'\n", argv[0]);
        rc = 1;
    } else {
        char *lower = arena_strdup(ar, from);
        for (char *c = lower; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:I}", "imap", imap, "smtp", smtp, "user", user,
                              "from", lower, "poll_seconds", (json_int_t)poll);
        if (j && starttls)
            json_object_set_new(j, "starttls", json_string(starttls));
        char *settings = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        /* Sealed at rest when the server has ADUAN_DATA_KEY. */
        const char *secret = cfg->svc_data_key[0]
                                 ? secret_seal(ar, cfg->svc_data_key, password, strlen(password))
                                 : password;
        if (!settings || !secret ||
            store_endpoint_put(s, a.id, EMAIL_CHANNEL, lower, secret, settings, clock_now()) !=
                ERR_OK) {
            fprintf(stderr, "aduan: email: the mailbox could not be saved\n");
            rc = 1;
        } else
            printf("mailbox %s connected to agency %s\n", lower, a.code);
        free(settings);
    }
    memset(password, 0, strlen(password));
    free(password);
    arena_destroy(ar);
    return rc;
}

static int list_boxes(store_t *s)
{
    arena_t *ar = arena_new();
    store_endpoint *eps;
    size_t n = 0;
    if (!ar || store_endpoint_list(s, ar, EMAIL_CHANNEL, &eps, &n) != ERR_OK) {
        arena_destroy(ar);
        fprintf(stderr, "aduan: email: cannot list the mailboxes\n");
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        email_box b;
        if (email_box_read(ar, NULL, eps[i].agency_id, eps[i].endpoint, eps[i].settings, NULL,
                           &b) == ERR_OK)
            printf("%s\tagency=%lld\timap=%s\tsmtp=%s\tuser=%s\n", b.address,
                   (long long)b.agency_id, b.imap ? b.imap : "-", b.smtp ? b.smtp : "-",
                   b.user ? b.user : "-");
    }
    arena_destroy(ar);
    return 0;
}

int email_cli(const config_t *cfg, store_t *s, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[0], "connect"))
        return connect_box(cfg, s, argc - 1, argv + 1);
    if (argc == 1 && !strcmp(argv[0], "list"))
        return list_boxes(s);
    fprintf(stderr, "aduan: usage: %s\n", email_usage);
    return 2;
}
