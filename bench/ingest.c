/* ingest: an open-loop load generator for aduan's WhatsApp webhook.
 *
 * It pre-builds RATE x DURATION distinct, correctly signed POST requests
 * (a realistic text-message payload each, with a unique wamid and text, for
 * one of the demo's phone_number_ids), then sends request i at its
 * scheduled time t0 + i/RATE over a fixed pool of keep-alive connections,
 * whatever the server's answers do (open loop). When every connection is
 * busy, due requests wait for one; the latency of a request is measured from
 * its SCHEDULED time to the end of its answer, so waiting counts (no
 * coordinated omission). The "service" latency, from the write to the end of
 * the answer, is reported beside it.
 *
 * Bounded by construction: nothing is sent after DURATION + GRACE seconds
 * (whatever is left is counted as unsent), and the run ends at the latest
 * DRAIN seconds after that (answers still missing count as timeouts).
 *
 *   ingest -p PORT -s SECRET -r RATE -d SECONDS [-c CONNS] [-H HOST]
 *          [-n NONCE] [-g GRACE] [-D DRAIN] [-a ACKED_FILE] [-B]
 *
 * -B (baseline) sends GET /healthz instead: the same HTTP and kernel work
 * without the signature check or the database, the ceiling of the machine.
 *
 * Prints one "RESULT key=value ..." line on stdout; progress on stderr.
 * Exit status: 0 when the run completed (whatever the errors), 2 on usage or
 * setup failure (for instance, no connection could be made).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 1024
#define RBUF      8192

static const char *const PHONE_IDS[] = {"100000000000001", "100000000000002", "100000000000003"};
static const char *const DISPLAY[] = {"6281150000001", "6281150000002", "6281150000003"};
static const char *const NAMES[] = {"Siti Rahmawati", "Budi Santoso", "Ahmad Fauzi",
                                    "Dewi Lestari",   "Rudi Hartono", "Nur Aini"};
static const char *const TOPICS[] = {
    "Lampu jalan di depan rumah saya mati sudah",
    "Ada pohon tumbang menutup jalan desa sejak",
    "Saluran air tersumbat dan banjir di gang selama",
    "Mohon bantuan, KTP saya belum jadi setelah",
    "Ada pedagang berjualan di trotoar setiap hari, sudah",
};

typedef struct {
    int fd;
    int connected;
    long req;     /* index of the request in flight, -1 when idle */
    size_t woff;  /* bytes of it written */
    int want_out; /* EPOLLOUT registered */
    double retry_at; /* when fd < 0: reopen at this time (s since t0) */
    char rbuf[RBUF];
    size_t rlen;
} conn_t;

static struct {
    const char *host;
    int port;
    const char *secret;
    double rate, duration, grace, drain;
    int nconns;
    unsigned long long nonce;
    const char *acked_file;
    int baseline; /* -B: GET /healthz instead (no database, no signature) */
} opt = {"127.0.0.1", 0, NULL, 0, 0, 5.0, 5.0, 64, 0, NULL, 0};

static char *reqbuf;    /* all requests, back to back */
static size_t *reqoff;  /* request i is reqbuf[reqoff[i] .. reqoff[i+1]) */
static double *t_sched; /* seconds since t0 */
static double *t_write; /* time of the first byte written, -1 when unsent */
static double *t_done;  /* time of the complete answer, -1 when none */
static int *status;     /* HTTP status, 0 none, -1 transport error */
static long nreq;

static int epfd;
static conn_t *conns;
static long n_reconnects, n_transport_errors, n_connect_errors, n_closed;
/* A connection that failed is opened again after this long (seconds), so
 * a server that refuses or drops connections does not make a busy loop. */
#define RECONNECT_DELAY 0.05

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *m)
{
    fprintf(stderr, "ingest: %s\n", m);
    exit(2);
}

/* ---- requests --------------------------------------------------------- */

static size_t build_one(char *out, size_t cap, long i, time_t ts)
{
    if (opt.baseline) {
        int n = snprintf(out, cap,
                         "GET /healthz HTTP/1.1\r\nHost: %s:%d\r\n"
                         "User-Agent: facebookexternalua\r\nAccept: */*\r\n\r\n",
                         opt.host, opt.port);
        return (size_t)n;
    }
    char body[2048], wamid[96], hex[65];
    unsigned a = (unsigned)(i % 3);
    unsigned long long seq = (unsigned long long)i;
    /* Shaped like Meta's: "wamid." + base64 of an opaque id; ours carries
     * the run's nonce and the sequence number, so it is unique. */
    snprintf(wamid, sizeof wamid,
             "wamid.HBgNNjI4MTI%012llXFQIAEhgUQkVOQ0gt%016llXAA==", opt.nonce & 0xffffffffffffULL,
             seq);
    unsigned long long from = 6281200000000ULL + (seq * 7919ULL) % 99999999ULL;
    int bl = snprintf(
        body, sizeof body,
        "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"10229012934%04u\","
        "\"changes\":[{\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{"
        "\"display_phone_number\":\"%s\",\"phone_number_id\":\"%s\"},\"contacts\":[{"
        "\"profile\":{\"name\":\"%s\"},\"wa_id\":\"%llu\"}],\"messages\":[{\"from\":\"%llu\","
        "\"id\":\"%s\",\"timestamp\":\"%lld\",\"type\":\"text\",\"text\":{\"body\":"
        "\"%s %llu hari. Lokasi RT %02llu/RW %02llu, laporan nomor %llu-%llu.\"}}]},"
        "\"field\":\"messages\"}]}]}",
        a, DISPLAY[a], PHONE_IDS[a], NAMES[seq % 6], from, from, wamid, (long long)ts,
        TOPICS[seq % 5], 1 + seq % 30, 1 + seq % 20, 1 + seq % 12, opt.nonce % 100000, seq);
    if (bl <= 0 || (size_t)bl >= sizeof body)
        die("body too long");
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)opt.secret, strlen(opt.secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, (unsigned long long)bl);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    int n = snprintf(out, cap,
                     "POST /webhooks/whatsapp HTTP/1.1\r\n"
                     "Host: %s:%d\r\n"
                     "User-Agent: facebookexternalua\r\n"
                     "Accept: */*\r\n"
                     "Content-Type: application/json\r\n"
                     "X-Hub-Signature-256: sha256=%s\r\n"
                     "Content-Length: %d\r\n"
                     "\r\n%s",
                     opt.host, opt.port, hex, bl, body);
    if (n <= 0 || (size_t)n >= cap)
        die("request too long");
    return (size_t)n;
}

static void build_all(void)
{
    size_t per = 3072, cap = per * (size_t)nreq;
    reqbuf = malloc(cap);
    reqoff = malloc(sizeof *reqoff * (size_t)(nreq + 1));
    t_sched = malloc(sizeof *t_sched * (size_t)nreq);
    t_write = malloc(sizeof *t_write * (size_t)nreq);
    t_done = malloc(sizeof *t_done * (size_t)nreq);
    status = calloc((size_t)nreq, sizeof *status);
    if (!reqbuf || !reqoff || !t_sched || !t_write || !t_done || !status)
        die("out of memory");
    time_t ts = time(NULL);
    size_t off = 0;
    for (long i = 0; i < nreq; i++) {
        reqoff[i] = off;
        off += build_one(reqbuf + off, cap - off, i, ts);
        t_sched[i] = (double)i / opt.rate;
        t_write[i] = -1;
        t_done[i] = -1;
    }
    reqoff[nreq] = off;
}

/* ---- connections ------------------------------------------------------ */

static void ep_set(conn_t *c, int out)
{
    struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0u), .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0)
        die("epoll_ctl mod");
    c->want_out = out;
}

static int conn_open(conn_t *c)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
    if (inet_pton(AF_INET, opt.host, &sa.sin_addr) != 1)
        die("host must be an IPv4 address");
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->connected = 0;
    c->req = -1;
    c->woff = 0;
    c->rlen = 0;
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EINPROGRESS) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    c->want_out = 1;
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0)
        die("epoll_ctl add");
    return 0;
}

/* The connection failed (WHY, errno or 0 for a close by the server): its
 * request (if any) is a transport error, and the connection is opened again
 * RECONNECT_DELAY later. */
static void conn_fail(conn_t *c, double t, int why)
{
    if (c->req >= 0) {
        status[c->req] = -1;
        t_done[c->req] = t;
        n_transport_errors++;
    }
    if (!c->connected)
        n_connect_errors++;
    else
        n_closed++;
    if (n_connect_errors + n_closed <= 3)
        fprintf(stderr, "ingest: connection %s at t=%.3fs: %s\n",
                c->connected ? "lost" : "refused", t, why ? strerror(why) : "closed by the server");
    if (c->fd >= 0) {
        epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    c->fd = -1;
    c->connected = 0;
    c->req = -1;
    c->retry_at = t + RECONNECT_DELAY;
}

static int try_write(conn_t *c, double t)
{
    long i = c->req;
    size_t len = reqoff[i + 1] - reqoff[i];
    while (c->woff < len) {
        ssize_t w = send(c->fd, reqbuf + reqoff[i] + c->woff, len - c->woff, MSG_NOSIGNAL);
        if (w > 0) {
            c->woff += (size_t)w;
            continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!c->want_out)
                ep_set(c, 1);
            return 0;
        }
        if (w < 0 && errno == EINTR)
            continue;
        conn_fail(c, t, errno);
        return -1;
    }
    if (c->want_out)
        ep_set(c, 0);
    return 0;
}

static void start_req(conn_t *c, long i, double t)
{
    c->req = i;
    c->woff = 0;
    t_write[i] = t;
    try_write(c, t);
}

/* An answer is complete in rbuf: returns its total length, 0 when more is
 * needed, -1 when it cannot be parsed. */
static long parse_answer(conn_t *c, int *st, int *close_after)
{
    c->rbuf[c->rlen < RBUF ? c->rlen : RBUF - 1] = '\0';
    char *end = strstr(c->rbuf, "\r\n\r\n");
    if (!end)
        return c->rlen >= RBUF - 1 ? -1 : 0;
    size_t hlen = (size_t)(end - c->rbuf) + 4;
    if (strncmp(c->rbuf, "HTTP/1.", 7) != 0)
        return -1;
    *st = (int)strtol(c->rbuf + 9, NULL, 10);
    long clen = 0;
    *close_after = 0;
    for (char *l = strstr(c->rbuf, "\r\n"); l && l < end; l = strstr(l + 2, "\r\n")) {
        char *h = l + 2;
        if (strncasecmp(h, "Content-Length:", 15) == 0)
            clen = strtol(h + 15, NULL, 10);
        else if (strncasecmp(h, "Connection:", 11) == 0 && strstr(h, "close") &&
                 strstr(h, "close") < strstr(h, "\r\n"))
            *close_after = 1;
    }
    if (c->rlen < hlen + (size_t)clen)
        return 0;
    return (long)(hlen + (size_t)clen);
}

static void on_readable(conn_t *c, double t)
{
    for (;;) {
        if (c->rlen >= RBUF - 1) {
            conn_fail(c, t, EMSGSIZE);
            return;
        }
        ssize_t r = recv(c->fd, c->rbuf + c->rlen, RBUF - 1 - c->rlen, 0);
        if (r > 0) {
            c->rlen += (size_t)r;
            if (c->rlen < RBUF - 1)
                break; /* short read: the socket is drained; saves a recv */
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (r < 0 && errno == EINTR)
            continue;
        conn_fail(c, t, r < 0 ? errno : 0); /* closed or reset */
        return;
    }
    int st = 0, close_after = 0;
    long n = parse_answer(c, &st, &close_after);
    if (n < 0 || (n > 0 && c->req < 0)) {
        conn_fail(c, t, EPROTO);
        return;
    }
    if (n == 0)
        return;
    status[c->req] = st;
    t_done[c->req] = t;
    c->req = -1;
    memmove(c->rbuf, c->rbuf + n, c->rlen - (size_t)n);
    c->rlen -= (size_t)n;
    if (close_after) {
        epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
        n_reconnects++;
        if (conn_open(c) != 0)
            c->retry_at = t + RECONNECT_DELAY;
    }
}

/* ---- statistics ------------------------------------------------------- */

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *v, long n, double p)
{
    if (n == 0)
        return 0;
    long k = (long)(p * (double)n + 0.999999) - 1;
    if (k < 0)
        k = 0;
    if (k >= n)
        k = n - 1;
    return v[k];
}

static void usage(void)
{
    fprintf(stderr, "usage: ingest -p PORT -s SECRET -r RATE -d SECONDS [-c CONNS] [-H HOST]"
                    " [-n NONCE] [-g GRACE] [-D DRAIN] [-a ACKED_FILE] [-B]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int ch;
    while ((ch = getopt(argc, argv, "H:p:s:r:d:c:n:g:D:a:B")) != -1) {
        switch (ch) {
        case 'H':
            opt.host = optarg;
            break;
        case 'p':
            opt.port = (int)strtol(optarg, NULL, 10);
            break;
        case 's':
            opt.secret = optarg;
            break;
        case 'r':
            opt.rate = strtod(optarg, NULL);
            break;
        case 'd':
            opt.duration = strtod(optarg, NULL);
            break;
        case 'c':
            opt.nconns = (int)strtol(optarg, NULL, 10);
            break;
        case 'n':
            opt.nonce = strtoull(optarg, NULL, 10);
            break;
        case 'g':
            opt.grace = strtod(optarg, NULL);
            break;
        case 'D':
            opt.drain = strtod(optarg, NULL);
            break;
        case 'a':
            opt.acked_file = optarg;
            break;
        case 'B':
            opt.baseline = 1;
            break;
        default:
            usage();
        }
    }
    if (!opt.port || !opt.secret || opt.rate <= 0 || opt.duration <= 0 || opt.nconns < 1 ||
        opt.nconns > MAX_CONNS || opt.grace < 0 || opt.drain < 0 || opt.duration > 600 ||
        opt.rate > 1e6)
        usage();
    if (sodium_init() < 0)
        die("sodium_init");
    if (!opt.nonce)
        opt.nonce = (unsigned long long)time(NULL) * 1000003ULL ^ (unsigned long long)getpid();
    nreq = (long)(opt.rate * opt.duration + 0.5);

    double tb = now_s();
    build_all();
    fprintf(stderr, "ingest: %ld signed requests (%.1f MB) built in %.2f s\n", nreq,
            (double)reqoff[nreq] / 1e6, now_s() - tb);

    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1");
    conns = calloc((size_t)opt.nconns, sizeof *conns);
    if (!conns)
        die("out of memory");
    for (int k = 0; k < opt.nconns; k++)
        if (conn_open(&conns[k]) != 0)
            die("connect failed");

    /* Wait (at most 5 s) until every connection is up, so that the timed
     * run does not include the handshakes. */
    struct epoll_event evs[256];
    double tw = now_s();
    for (int up = 0; up < opt.nconns;) {
        if (now_s() - tw > 5)
            die("connections not established within 5 s");
        int n = epoll_wait(epfd, evs, 256, 100);
        for (int k = 0; k < n; k++) {
            conn_t *c = evs[k].data.ptr;
            if (c->connected)
                continue;
            int err = 0;
            socklen_t el = sizeof err;
            getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
            if (err || (evs[k].events & (EPOLLERR | EPOLLHUP)))
                die("connect refused (is the server up?)");
            c->connected = 1;
            ep_set(c, 0);
            up++;
        }
    }

    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    const double t0 = now_s();
    const double send_end = opt.duration + opt.grace; /* no send after this */
    const double hard_end = send_end + opt.drain;     /* stop waiting here */
    long next = 0, inflight = 0;
    conn_t **idle = malloc(sizeof *idle * (size_t)opt.nconns);
    double last_report = 0;
    for (;;) {
        double t = now_s() - t0;
        /* Dispatch every due request for which an idle connection exists. */
        for (int k = 0; k < opt.nconns && t < send_end; k++)
            if (conns[k].fd < 0 && conns[k].retry_at <= t) {
                n_reconnects++;
                if (conn_open(&conns[k]) != 0)
                    conns[k].retry_at = t + RECONNECT_DELAY;
            }
        int nidle = 0;
        if (t < send_end) {
            for (int k = 0; k < opt.nconns; k++)
                if (conns[k].fd >= 0 && conns[k].connected && conns[k].req < 0)
                    idle[nidle++] = &conns[k];
            while (next < nreq && t_sched[next] <= t && nidle > 0) {
                start_req(idle[--nidle], next++, t);
            }
        }
        inflight = 0;
        for (int k = 0; k < opt.nconns; k++)
            inflight += conns[k].req >= 0;
        if ((next >= nreq || t >= send_end) && inflight == 0)
            break;
        if (t >= hard_end)
            break;
        if (t - last_report >= 2.0) {
            last_report = t;
            fprintf(stderr, "ingest: t=%.0fs sent=%ld inflight=%ld backlog=%ld\n", t, next,
                    inflight, (long)((t < opt.duration ? t : opt.duration) * opt.rate) - next);
        }
        /* Wait for an event or the next due request (microsecond timeout:
         * epoll_pwait2), at most 1 ms so the deadlines are checked. When
         * every connection is busy only an answer can help: no spinning
         * (it would take the server's CPU). */
        struct timespec to = {0, 1000000};
        if (next < nreq && t < send_end && nidle > 0) {
            double dt = t_sched[next] - t;
            if (dt < 0)
                dt = 0;
            if (dt < 0.001)
                to.tv_nsec = (long)(dt * 1e9);
        }
        int n = epoll_pwait2(epfd, evs, 256, &to, NULL);
        if (n < 0 && errno != EINTR)
            die("epoll_pwait2");
        double te = now_s() - t0;
        for (int k = 0; k < n; k++) {
            conn_t *c = evs[k].data.ptr;
            if (c->fd < 0)
                continue;
            if (!c->connected) {
                int err = 0;
                socklen_t el = sizeof err;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
                if (err || (evs[k].events & (EPOLLERR | EPOLLHUP))) {
                    conn_fail(c, te, err ? err : ECONNREFUSED);
                    continue;
                }
                c->connected = 1;
                ep_set(c, 0);
                continue;
            }
            if (evs[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
                on_readable(c, te);
            if (c->fd >= 0 && c->req >= 0 && (evs[k].events & EPOLLOUT))
                try_write(c, te);
        }
    }
    const double t_end = now_s() - t0;
    getrusage(RUSAGE_SELF, &ru1);

    /* Tally. */
    long acked = 0, non200 = 0, transport = 0, timeouts = 0, unsent = 0, nlat = 0;
    double last_done = 0;
    double *lat = malloc(sizeof *lat * (size_t)(nreq ? nreq : 1));
    double *svc = malloc(sizeof *svc * (size_t)(nreq ? nreq : 1));
    FILE *af = opt.acked_file ? fopen(opt.acked_file, "w") : NULL;
    if (opt.acked_file && !af)
        die("cannot write the acked file");
    for (long i = 0; i < nreq; i++) {
        if (t_write[i] < 0) {
            unsent++;
            continue;
        }
        if (status[i] == 0) {
            timeouts++;
            continue;
        }
        if (status[i] < 0) {
            transport++;
            continue;
        }
        if (status[i] != 200) {
            non200++;
        } else {
            acked++;
            if (af && !opt.baseline) {
                /* the wamid, as it appears in the body */
                const char *b = reqbuf + reqoff[i];
                const char *w = strstr(b, "\"id\":\"wamid.");
                const char *e = w ? strchr(w + 6, '"') : NULL;
                if (w && e)
                    fprintf(af, "%.*s\n", (int)(e - (w + 6)), w + 6);
            }
        }
        lat[nlat] = (t_done[i] - t_sched[i]) * 1e3;
        svc[nlat] = (t_done[i] - t_write[i]) * 1e3;
        nlat++;
        if (t_done[i] > last_done)
            last_done = t_done[i];
    }
    if (af && fclose(af) != 0)
        die("cannot write the acked file");
    qsort(lat, (size_t)nlat, sizeof *lat, cmp_d);
    qsort(svc, (size_t)nlat, sizeof *svc, cmp_d);
    double cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
                 (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
                 (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
                 (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
    /* Achieved: acknowledged messages per second of the run, the run being
     * the scheduled window or, when the server fell behind, until the last
     * answer. */
    double window = last_done > opt.duration ? last_done : opt.duration;
    printf("RESULT target=%.0f duration=%.1f conns=%d planned=%ld sent=%ld acked=%ld "
           "non200=%ld transport=%ld timeouts=%ld unsent=%ld errors=%ld achieved=%.0f "
           "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f "
           "svc_p50_ms=%.2f svc_p99_ms=%.2f svc_max_ms=%.2f gen_cpu_pct=%.0f wall_s=%.2f "
           "reconnects=%ld connect_errors=%ld closed_by_server=%ld\n",
           opt.rate, opt.duration, opt.nconns, nreq, nreq - unsent, acked, non200, transport,
           timeouts, unsent, non200 + transport + timeouts + unsent, (double)acked / window,
           pct(lat, nlat, 0.50), pct(lat, nlat, 0.90), pct(lat, nlat, 0.99), pct(lat, nlat, 0.999),
           nlat ? lat[nlat - 1] : 0, pct(svc, nlat, 0.50), pct(svc, nlat, 0.99),
           nlat ? svc[nlat - 1] : 0, 100.0 * cpu / t_end, t_end, n_reconnects, n_connect_errors, n_closed);
    fflush(stdout);
    return 0;
}
