/*
 * floor.c: the least a TCP send/expect check can cost, for nanny-scale.ts to compare against.
 * The same checks as nanny makes there (127.x.y.z, send "PING\n", expect "PONG", one a second
 * per server), in plain C on one epoll set, with the same socket options and socket reuse as
 * native/probe.cc.
 * Runs until stdin closes, then prints {"ok":N,"failed":N}. argv: port servers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { CONNECTING, READING };

struct conn {
  int fd;
  int phase;
};

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* address returns the i-th server as nanny-address.ts does: 127.(1+i/62500).(i/250%250).(i%250+1). */
static in_addr_t address(long i) {
  return htonl((127u << 24) | ((unsigned)(1 + i / 62500) << 16) | ((unsigned)((i / 250) % 250) << 8) | (unsigned)(i % 250 + 1));
}

static int ep;
static int *spare;
static long spares;

/* finish ends a connection with RST and keeps its socket for the next check, as probe.cc does. */
static void finish(int fd) {
  struct sockaddr unspec = {.sa_family = AF_UNSPEC};
  int err;
  socklen_t len = sizeof err;
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
  if (connect(fd, &unspec, sizeof unspec) != 0) {
    close(fd);
    return;
  }
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  spare[spares++] = fd;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: floor PORT SERVERS\n");
    return 2;
  }
  int port = atoi(argv[1]);
  long servers = atol(argv[2]);
  struct conn *conns = calloc((size_t)servers, sizeof *conns);
  spare = calloc((size_t)servers + 1, sizeof *spare);
  ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event in = {.events = EPOLLIN, .data.u64 = (uint64_t)-1};
  epoll_ctl(ep, EPOLL_CTL_ADD, 0, &in);
  long ok = 0, failed = 0, started = 0;
  double t0 = now();
  struct epoll_event ready[1024];
  char buf[64];
  for (;;) {
    long due = (long)((now() - t0) * (double)servers);
    for (; started < due; started++) {
      long i = started % servers;
      if (conns[i].fd > 0) {
        finish(conns[i].fd);
        failed++;
      }
      int fd, zero = 0;
      if (spares > 0) {
        fd = spare[--spares];
      } else {
        struct linger abort = {1, 0};
        fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
      }
      setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof zero);
      struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = address(i)};
      connect(fd, (struct sockaddr *)&to, sizeof to);
      struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.u64 = (uint64_t)i};
      epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
      conns[i].fd = fd;
      conns[i].phase = CONNECTING;
    }
    int n = epoll_wait(ep, ready, 1024, 1);
    for (int k = 0; k < n; k++) {
      if (ready[k].data.u64 == (uint64_t)-1) {
        if (read(0, buf, sizeof buf) <= 0) {
          printf("{\"ok\":%ld,\"failed\":%ld}\n", ok, failed);
          return 0;
        }
        continue;
      }
      struct conn *c = &conns[ready[k].data.u64];
      if (c->fd <= 0) continue;
      if (c->phase == CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0 || (ready[k].events & EPOLLOUT) == 0 || send(c->fd, "PING\n", 5, MSG_NOSIGNAL) != 5) {
          finish(c->fd);
          c->fd = 0;
          failed++;
          continue;
        }
        c->phase = READING;
      }
      ssize_t r = recv(c->fd, buf, 4, 0);
      if (r < 0 && errno == EAGAIN) continue;
      if (r == 4 && memcmp(buf, "PONG", 4) == 0) ok++;
      else failed++;
      finish(c->fd);
      c->fd = 0;
    }
  }
}
