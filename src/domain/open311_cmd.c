/* `aduan open311 key add|list|revoke`: the API keys Open311 clients post
 * requests with. A key is 32 random bytes (base64url), printed once; the
 * database keeps its SHA-256, so a copy of the database gives no key. */
#include "domain/open311.h"

#include "core/clock.h"
#include "core/secret.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

const char open311_usage[] = "aduan open311 key add CLIENT\n"
                             "       aduan open311 key list\n"
                             "       aduan open311 key revoke CLIENT";

/* A client name: 1 to OPEN311_CLIENT_MAX printable ASCII characters,
 * no spaces (it appears in the first event's note and in logs). */
static bool client_ok(const char *c)
{
    size_t n = strlen(c);
    if (n == 0 || n > OPEN311_CLIENT_MAX)
        return false;
    for (; *c; c++)
        if (*c <= ' ' || *c > '~')
            return false;
    return true;
}

static void day(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, 32, "-");
}

static int key_list(store_t *s)
{
    arena_t *ar = arena_new();
    store_open311_key *k = NULL;
    size_t n = 0;
    err_t e = ar ? store_open311_key_list(s, ar, &k, &n) : ERR_NOMEM;
    if (e != ERR_OK) {
        fprintf(stderr, "aduan: open311: %s\n", err_str(e));
        arena_destroy(ar);
        return 1;
    }
    printf("client\tcreated\trevoked\n");
    for (size_t i = 0; i < n; i++) {
        char c[32], r[32] = "-";
        day(k[i].created_at, c);
        if (k[i].revoked_at)
            day(k[i].revoked_at, r);
        printf("%s\t%s\t%s\n", k[i].client, c, r);
    }
    arena_destroy(ar);
    return 0;
}

bool open311_args_ok(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[0], "key") != 0)
        return false;
    if (!strcmp(argv[1], "list"))
        return argc == 2;
    return argc == 3 && (!strcmp(argv[1], "add") || !strcmp(argv[1], "revoke"));
}

int open311_cmd(store_t *s, int argc, char **argv)
{
    enum { EXIT_FAIL = 1, EXIT_USAGE = 2 };
    if (argc == 2 && !strcmp(argv[0], "key") && !strcmp(argv[1], "list"))
        return key_list(s);
    if (argc != 3 || strcmp(argv[0], "key") != 0 ||
        (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "revoke") != 0)) {
        fprintf(stderr, "aduan: usage: %s\n", open311_usage);
        return EXIT_USAGE;
    }
    const char *client = argv[2];
    if (!client_ok(client)) {
        fprintf(stderr, "aduan: open311: CLIENT: 1 to %d characters without spaces\n",
                OPEN311_CLIENT_MAX);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "revoke")) {
        err_t e = store_open311_key_revoke(s, client, clock_now());
        if (e == ERR_NOT_FOUND) {
            fprintf(stderr, "aduan: open311: %s has no active key\n", client);
            return EXIT_FAIL;
        }
        if (e != ERR_OK) {
            fprintf(stderr, "aduan: open311: %s\n", err_str(e));
            return EXIT_FAIL;
        }
        printf("revoked the key of %s\n", client);
        return 0;
    }
    char key[SECRET_TOKEN_BUF], hash[SECRET_DIGEST_BUF];
    secret_token(key);
    secret_sha256_hex(key, strlen(key), hash);
    err_t e = store_open311_key_add(s, client, hash, clock_now());
    if (e == ERR_CONFLICT) {
        fprintf(stderr, "aduan: open311: %s has an active key; revoke it first\n", client);
        return EXIT_FAIL;
    }
    if (e != ERR_OK) {
        fprintf(stderr, "aduan: open311: %s\n", err_str(e));
        return EXIT_FAIL;
    }
    printf("API key of %s (shown once; give it to the client as api_key):\n%s\n", client, key);
    return 0;
}
