/* c_echo_server: the reference echo server of the benchmark, the limit our Python servers are
 * measured against. One thread, epoll (level-triggered), the same contract as the servers of
 * code/: --port (0 for a free one) on 127.0.0.1 only, "listening on HOST:PORT" once ready,
 * exit status 0 on SIGTERM or SIGINT with every socket closed.
 *
 * Each wake-up of the listener accepts every queued connection. A read goes to a shared buffer
 * and is sent back at once; only what the kernel did not take is kept (per client), and while
 * it is kept the client is not read from, so a client that does not read stalls only itself.
 *
 *   c_echo_server [--port P]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUFFER_SIZE (1 << 16)
#define MAX_EVENTS 1024
#define BACKLOG 4096
#define ACCEPT_PAUSE_MS 100 /* out of descriptors: how long the listener is not watched */

struct client {
    char *pending; /* echo the kernel has not taken yet; NULL when none */
    size_t length, done;
    int open;
};

static volatile sig_atomic_t stopping;
static struct client *clients; /* indexed by descriptor */
static size_t nslots;
static int epfd;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_signal(int sig) {
    (void)sig;
    stopping = 1;
}

static void die(const char *what) {
    fprintf(stderr, "c_echo_server: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void close_client(int fd) {
    free(clients[fd].pending);
    clients[fd] = (struct client){0};
    close(fd); /* also takes it out of epoll */
}

static void watch(int fd, uint32_t events) {
    struct epoll_event ev = {.events = events, .data.fd = fd};
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
        die("epoll_ctl");
}

/* Send what is pending; 1 when all of it is out, 0 when the kernel is full, -1 on error. */
static int flush(int fd) {
    struct client *c = &clients[fd];
    while (c->done < c->length) {
        ssize_t n = send(fd, c->pending + c->done, c->length - c->done, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        }
        c->done += (size_t)n;
    }
    free(c->pending);
    c->pending = NULL;
    c->length = c->done = 0;
    return 1;
}

static void serve(int fd, uint32_t events) {
    static char buffer[BUFFER_SIZE];
    struct client *c = &clients[fd];
    if (c->pending) {
        int r = flush(fd);
        if (r < 0)
            close_client(fd);
        else if (r > 0)
            watch(fd, EPOLLIN); /* all out: read again */
        return;
    }
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        return;
    ssize_t got = recv(fd, buffer, sizeof buffer, 0);
    if (got < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            close_client(fd);
        return;
    }
    if (got == 0) { /* the client is done sending, and nothing of ours is pending */
        close_client(fd);
        return;
    }
    ssize_t sent = send(fd, buffer, (size_t)got, MSG_NOSIGNAL);
    if (sent < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            close_client(fd);
            return;
        }
        sent = 0;
    }
    if (sent < got) { /* keep the rest, and stop reading until it is out */
        c->length = (size_t)(got - sent);
        c->done = 0;
        c->pending = malloc(c->length);
        if (!c->pending)
            die("malloc");
        memcpy(c->pending, buffer + sent, c->length);
        watch(fd, EPOLLOUT);
    }
}

/* Accept every queued connection; 0 when the queue is empty, -1 when out of descriptors. */
static int accept_all(int listener) {
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE)
                return -1;
            die("accept4");
        }
        if ((size_t)fd >= nslots) { /* cannot happen below the descriptor limit */
            close(fd);
            continue;
        }
        clients[fd].open = 1;
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
            die("epoll_ctl");
    }
}

int main(int argc, char **argv) {
    int port = 8765;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc)
            port = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: c_echo_server [--port P]   (127.0.0.1 only)\n");
            return 2;
        }
    }
    struct rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    getrlimit(RLIMIT_NOFILE, &lim);
    nslots = lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur > (1 << 20) ? 1 << 20 : lim.rlim_cur;
    clients = calloc(nslots, sizeof *clients);
    if (!clients)
        die("calloc");

    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: epoll_wait returns EINTR */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (listener < 0)
        die("socket");
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listener, BACKLOG) < 0) {
        fprintf(stderr, "cannot listen on 127.0.0.1:%d: %s\n", port, strerror(errno));
        return 1;
    }
    socklen_t len = sizeof addr;
    getsockname(listener, (struct sockaddr *)&addr, &len);
    epfd = epoll_create1(0);
    if (epfd < 0)
        die("epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &ev) < 0)
        die("epoll_ctl");
    printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
    fflush(stdout);

    static struct epoll_event events[MAX_EVENTS];
    double resume_at = 0; /* > 0: the listener is out of epoll until then, descriptors ran out */
    while (!stopping) {
        int n = epoll_wait(epfd, events, MAX_EVENTS, resume_at > 0 ? ACCEPT_PAUSE_MS : -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        if (resume_at > 0 && now() >= resume_at) {
            ev = (struct epoll_event){.events = EPOLLIN, .data.fd = listener};
            if (epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &ev) < 0)
                die("epoll_ctl");
            resume_at = 0;
        }
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd != listener)
                serve(fd, events[i].events);
            else if (accept_all(listener) < 0) {
                epoll_ctl(epfd, EPOLL_CTL_DEL, listener, NULL);
                resume_at = now() + ACCEPT_PAUSE_MS / 1e3;
            }
        }
    }
    for (size_t fd = 0; fd < nslots; fd++)
        if (clients[fd].open)
            close_client((int)fd);
    close(listener);
    close(epfd);
    return 0;
}
