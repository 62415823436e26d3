/* loadgen: a load generator for the echo servers that is not their bottleneck.
 *
 * One thread, epoll, closed loop: N clients connect to 127.0.0.1:PORT at once (all connect()
 * calls before the first reply is read, a short epoll pass between batches), and each client
 * sends its next S-byte request the moment the whole echo of the last one is back. Every echoed
 * byte is compared with what was sent. Requests differ between clients and between the requests
 * of one client, so a late, repeated or misdirected echo fails the check.
 *
 * Timeline: connect and serve until every client has its first echo (or --ramp seconds passed),
 * then --warmup seconds, then the measured window of --seconds; after it no new requests, the
 * echoes on their way are drained (closing with unread bytes would reset the connection).
 *
 * JSON on stdout: totals, the window's round trips and latency percentiles, the CPU time of this
 * process and (with --server-pid) of the server over the window (and what each wanted: time on a CPU
 * or waiting for one) and of every CPU (whoever ran on it), and per client: the first echo
 * after its connect(), the worst wait for any echo, and its round trips. Linux only.
 *
 *   loadgen --port P --clients N --size S [--seconds T] [--warmup W] [--ramp R] [--drain D] [--server-pid PID]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#define CONNECT_BATCH 256 /* connect() calls between two looks at the replies */
#define MAX_EVENTS 1024
#define SCRATCH (1 << 16)
#define MAX_ERRORS 5

enum { CONNECTING, SENDING, WAITING, IDLE, CLOSED };

struct client {
    int fd;
    int state;
    uint32_t offset;   /* where in the pattern the current request starts */
    uint32_t sent;     /* bytes of the current request the kernel took */
    uint32_t got;      /* bytes of its echo received and checked */
    uint32_t events;   /* what epoll watches for it now */
    double connect_at; /* when connect() was called */
    double sent_at;    /* when the current request went out */
    double last;       /* connect_at, then the completion of the last echo */
    double first_echo; /* seconds after connect_at; < 0: none yet */
    double worst_gap;  /* the longest wait for an echo (connect to first, then echo to echo) */
    uint64_t round_trips;
};

static struct client *clients;
static int nclients, size, epfd;
static unsigned char *pattern;
static int running = 1; /* requests still go out */
static double window_start = 1e300, window_end = 1e300;
static uint32_t *latencies; /* microseconds, round trips completed inside the window */
static size_t nlat, caplat;
static uint64_t round_trips, bytes_checked, mismatches, failed, in_flight, window_round_trips;
static char errors[MAX_ERRORS][160];
static int nerrors;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* the clock of Python's time.monotonic() */
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void note_error(int number, const char *what, int err) {
    if (nerrors < MAX_ERRORS)
        snprintf(errors[nerrors++], sizeof errors[0], "client %d: %s%s%s", number, what,
                 err ? ": " : "", err ? strerror(err) : "");
}

static void watch(struct client *c, uint32_t events) {
    if (events == c->events)
        return;
    struct epoll_event ev = {.events = events, .data.u32 = (uint32_t)(c - clients)};
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
        die("epoll_ctl");
    c->events = events;
}

static void drop(struct client *c, const char *why, int err) {
    close(c->fd); /* also takes it out of epoll */
    if (c->state == SENDING || c->state == WAITING)
        in_flight--;
    c->state = CLOSED;
    failed++;
    note_error((int)(c - clients), why, err);
}

static void send_more(struct client *c) {
    while (c->sent < (uint32_t)size) {
        ssize_t n = send(c->fd, pattern + c->offset + c->sent, size - c->sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                watch(c, EPOLLIN | EPOLLOUT); /* the rest when the kernel has room */
                return;
            }
            if (errno == EINTR)
                continue;
            drop(c, "send", errno);
            return;
        }
        c->sent += (uint32_t)n;
    }
    c->state = WAITING;
    watch(c, EPOLLIN);
}

static void send_request(struct client *c, double t) {
    c->offset = (c->offset + 1) & 255;
    c->sent = c->got = 0;
    c->sent_at = t;
    c->state = SENDING;
    in_flight++;
    send_more(c);
}

static void echo_complete(struct client *c, double t) {
    double gap = t - c->last;
    if (gap > c->worst_gap)
        c->worst_gap = gap;
    if (c->first_echo < 0)
        c->first_echo = t - c->connect_at;
    c->last = t;
    c->round_trips++;
    round_trips++;
    bytes_checked += size;
    in_flight--;
    c->state = IDLE;
    if (t >= window_start && t < window_end) {
        window_round_trips++;
        if (nlat == caplat) {
            caplat = caplat ? caplat * 2 : 1 << 16;
            latencies = realloc(latencies, caplat * sizeof *latencies);
            if (!latencies)
                die("realloc");
        }
        latencies[nlat++] = (uint32_t)((t - c->sent_at) * 1e6 + 0.5);
    }
    if (running)
        send_request(c, t);
}

static void receive(struct client *c, double t) {
    static unsigned char scratch[SCRATCH];
    for (;;) {
        /* Never more than the rest of this echo: whatever comes after it belongs to no request. */
        size_t want = size - c->got;
        if (want > SCRATCH)
            want = SCRATCH;
        ssize_t n = recv(c->fd, scratch, want, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EINTR)
                continue;
            drop(c, "recv", errno);
            return;
        }
        if (n == 0) {
            drop(c, "the server closed the connection", 0);
            return;
        }
        if (c->state != WAITING && c->state != SENDING) {
            mismatches++;
            drop(c, "bytes came with no request out", 0);
            return;
        }
        if (c->got + n > c->sent || memcmp(scratch, pattern + c->offset + c->got, n) != 0) {
            mismatches++;
            drop(c, "the echo differs from the request", 0);
            return;
        }
        c->got += (uint32_t)n;
        if (c->got == (uint32_t)size) {
            echo_complete(c, t);
            return;
        }
    }
}

static void connected(struct client *c, double t) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
        drop(c, "connect", err);
        return;
    }
    int one = 1; /* small requests leave at once, not after the previous ACK (Nagle) */
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->state = IDLE;
    send_request(c, t);
}

static void connect_one(struct client *c, const struct sockaddr_in *addr) {
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0) {
        c->state = CLOSED;
        failed++;
        note_error((int)(c - clients), "socket", errno);
        return;
    }
    c->connect_at = c->last = now();
    c->state = CONNECTING;
    c->events = EPOLLOUT; /* writable: the handshake is over */
    if (connect(c->fd, (const struct sockaddr *)addr, sizeof *addr) < 0 && errno != EINPROGRESS) {
        drop(c, "connect", errno);
        return;
    }
    struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = (uint32_t)(c - clients)};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
        die("epoll_ctl");
}

static void handle(struct client *c, uint32_t events, double t) {
    if (c->state == CLOSED)
        return;
    if (c->state == CONNECTING) {
        connected(c, t);
        return;
    }
    if (events & EPOLLOUT && c->state == SENDING)
        send_more(c);
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR) && c->state != CLOSED)
        receive(c, t);
}

/* One pass: wait at most timeout_ms for events, handle them. */
static void pass(int timeout_ms) {
    static struct epoll_event events[MAX_EVENTS];
    int n = epoll_wait(epfd, events, MAX_EVENTS, timeout_ms);
    if (n < 0) {
        if (errno == EINTR)
            return;
        die("epoll_wait");
    }
    double t = now();
    for (int i = 0; i < n; i++)
        handle(&clients[events[i].data.u32], events[i].events, t);
}

static int settled(void) {
    for (int i = 0; i < nclients; i++)
        if (clients[i].state != CLOSED && clients[i].first_echo < 0)
            return 0;
    return 1;
}

/* utime + stime of a process, every thread, in clock ticks (proc(5), fields 14 and 15). */
static double process_cpu(int pid) {
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    if (!p)
        return -1;
    unsigned long utime = 0, stime = 0;
    /* After ")": state (3), then fields 4..13, then utime (14) and stime (15). */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
        return -1;
    return (double)(utime + stime) / sysconf(_SC_CLK_TCK);
}

/* Seconds the live threads of a process ran or waited for a CPU (schedstat): what it wanted. */
static double process_wanted(int pid) {
    char path[320];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *dir = opendir(path);
    if (!dir)
        return -1;
    double total = 0;
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        if (entry->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/%d/task/%s/schedstat", pid, entry->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue; /* a thread may end while we look */
        unsigned long long on_cpu, waiting;
        if (fscanf(f, "%llu %llu", &on_cpu, &waiting) == 2)
            total += (on_cpu + waiting) / 1e9;
        fclose(f);
    }
    closedir(dir);
    return total;
}

#define MAX_CPUS 256

/* Per CPU, seconds of user + nice + system time, and of steal time, from /proc/stat (proc(5)):
 * what ran on each core, whoever it was. Returns how many CPUs it read. */
static int cpu_times(double busy[MAX_CPUS], double steal[MAX_CPUS]) {
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return 0;
    char line[512];
    int n = 0;
    double tick = (double)sysconf(_SC_CLK_TCK);
    while (fgets(line, sizeof line, f)) {
        int cpu;
        unsigned long long user, nice, system, idle, iowait, irq, softirq, st;
        if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &user, &nice, &system, &idle,
                   &iowait, &irq, &softirq, &st) == 9 && cpu >= 0 && cpu < MAX_CPUS) {
            busy[cpu] = (user + nice + system) / tick;
            steal[cpu] = st / tick;
            if (cpu + 1 > n)
                n = cpu + 1;
        }
    }
    fclose(f);
    return n;
}

static double self_cpu(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int by_value(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static double percentile_ms(double share) {
    if (!nlat)
        return -1;
    size_t i = (size_t)(share * nlat);
    return latencies[i < nlat ? i : nlat - 1] / 1e3;
}

static void usage(void) {
    fprintf(stderr, "usage: loadgen --port P --clients N --size S [--seconds T] [--warmup W] [--ramp R] "
                    "[--drain D] [--server-pid PID]\n");
    exit(2);
}

static void print_number(double x) {
    if (x < 0)
        fputs("null", stdout);
    else
        printf("%.6g", x);
}

int main(int argc, char **argv) {
    int port = -1, server_pid = 0;
    double seconds = 1.0, warmup = 0.2, ramp = 3.0, drain = 1.0;
    nclients = size = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--clients")) nclients = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--size")) size = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--warmup")) warmup = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--ramp")) ramp = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--drain")) drain = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--server-pid")) server_pid = atoi(argv[i + 1]);
        else usage();
    }
    if (argc % 2 == 0 || port <= 0 || port > 65535 || nclients < 1 || size < 1 || size > (1 << 24) || seconds <= 0)
        usage();

    /* One descriptor per client, and a few more: raise the soft limit to the hard one. */
    struct rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    if (lim.rlim_cur != RLIM_INFINITY && (rlim_t)nclients + 16 > lim.rlim_cur) {
        fprintf(stderr, "loadgen: %d clients need more open files than the limit %llu\n", nclients,
                (unsigned long long)lim.rlim_cur);
        return 2;
    }

    pattern = malloc(size + 256);
    clients = calloc(nclients, sizeof *clients);
    if (!pattern || !clients)
        die("malloc");
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    for (int i = 0; i < size + 256; i++)
        pattern[i] = (unsigned char)(rand() >> 7);
    epfd = epoll_create1(0);
    if (epfd < 0)
        die("epoll_create1");

    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* 127.0.0.1 only */

    double started = now();
    for (int i = 0; i < nclients; i++) {
        clients[i].offset = i & 255;
        clients[i].first_echo = -1;
        connect_one(&clients[i], &addr);
        if ((i + 1) % CONNECT_BATCH == 0)
            pass(0); /* the replies that came, between batches */
    }
    double connected_at = now();

    /* Ramp: every client has its first echo, or the ramp is over. */
    while (!settled() && now() < connected_at + ramp)
        pass(10);
    double ramp_end = now();

    window_start = ramp_end + warmup;
    window_end = window_start + seconds;
    while (now() < window_start)
        pass(1);
    double server_cpu0 = server_pid ? process_cpu(server_pid) : -1;
    double server_wanted0 = server_pid ? process_wanted(server_pid) : -1;
    static double busy0[MAX_CPUS], steal0[MAX_CPUS], busy1[MAX_CPUS], steal1[MAX_CPUS];
    int ncpus = cpu_times(busy0, steal0);
    double client_cpu0 = self_cpu(), client_wanted0 = process_wanted(getpid()), t0 = now();
    window_start = t0;
    window_end = t0 + seconds;
    for (double t = t0; t < window_end; t = now()) {
        int ms = (int)((window_end - t) * 1e3);
        pass(ms < 1 ? 1 : ms > 50 ? 50 : ms);
    }
    double server_cpu1 = server_pid ? process_cpu(server_pid) : -1;
    double server_wanted1 = server_pid ? process_wanted(server_pid) : -1;
    double client_cpu1 = self_cpu(), client_wanted1 = process_wanted(getpid()), t1 = now();
    cpu_times(busy1, steal1);

    /* Who waits now has waited since its last echo: that counts as a gap too. */
    for (int i = 0; i < nclients; i++) {
        struct client *c = &clients[i];
        if (c->state != CLOSED && c->state != IDLE && t1 - c->last > c->worst_gap)
            c->worst_gap = t1 - c->last;
    }
    running = 0;
    double drain_end = t1 + drain; /* how long to wait for the echoes still on their way */
    while (in_flight && now() < drain_end)
        pass(10);
    uint64_t undrained = in_flight;
    for (int i = 0; i < nclients; i++)
        if (clients[i].state != CLOSED)
            close(clients[i].fd);

    qsort(latencies, nlat, sizeof *latencies, by_value);
    double window = t1 - t0;
    printf("{\"clients\": %d, \"size\": %d, \"connect_seconds\": %.6f, \"ramp_seconds\": %.6f, ", nclients, size,
           connected_at - started, ramp_end - started);
    printf("\"window_seconds\": %.6f, \"requests\": %llu, \"rps\": %.1f, ", window,
           (unsigned long long)window_round_trips, window_round_trips / window);
    printf("\"p50_ms\": ");
    print_number(percentile_ms(0.5));
    printf(", \"p99_ms\": ");
    print_number(percentile_ms(0.99));
    printf(", \"max_ms\": ");
    print_number(percentile_ms(1.0));
    printf(", \"round_trips\": %llu, \"bytes_checked\": %llu, \"mismatches\": %llu, \"failed\": %llu, "
           "\"undrained\": %llu, ",
           (unsigned long long)round_trips, (unsigned long long)bytes_checked, (unsigned long long)mismatches,
           (unsigned long long)failed, (unsigned long long)undrained);
    printf("\"client_cpu_seconds\": %.6f, \"client_wanted_seconds\": ", client_cpu1 - client_cpu0);
    print_number(client_wanted0 >= 0 && client_wanted1 >= 0 ? client_wanted1 - client_wanted0 : -1);
    printf(", \"server_cpu_seconds\": ");
    print_number(server_pid && server_cpu0 >= 0 && server_cpu1 >= 0 ? server_cpu1 - server_cpu0 : -1);
    printf(", \"server_wanted_seconds\": ");
    print_number(server_pid && server_wanted0 >= 0 && server_wanted1 >= 0 ? server_wanted1 - server_wanted0 : -1);
    printf(", \"cpu_busy_seconds\": [");
    for (int i = 0; i < ncpus; i++)
        printf("%s%.3f", i ? ", " : "", busy1[i] - busy0[i]);
    printf("], \"cpu_steal_seconds\": [");
    for (int i = 0; i < ncpus; i++)
        printf("%s%.3f", i ? ", " : "", steal1[i] - steal0[i]);
    printf("]");
    printf(", \"errors\": [");
    for (int i = 0; i < nerrors; i++)
        printf("%s\"%s\"", i ? ", " : "", errors[i]); /* our own texts: no quotes or backslashes in them */
    printf("],\n \"first_echo_us\": [");
    for (int i = 0; i < nclients; i++)
        printf("%s%.0f", i ? "," : "", clients[i].first_echo < 0 ? -1.0 : clients[i].first_echo * 1e6);
    printf("],\n \"worst_gap_us\": [");
    for (int i = 0; i < nclients; i++)
        printf("%s%.0f", i ? "," : "", clients[i].worst_gap * 1e6);
    printf("],\n \"round_trips_per_client\": [");
    for (int i = 0; i < nclients; i++)
        printf("%s%llu", i ? "," : "", (unsigned long long)clients[i].round_trips);
    printf("]}\n");
    return 0;
}
